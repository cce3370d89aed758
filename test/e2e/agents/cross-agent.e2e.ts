import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { conversation, requestText, startAnthropicServer, textTurn, toolTurn, type AnthropicServer } from '../lib/anthropic.js';
import type { Installed } from '../lib/cache.js';
import { watchClaimHolders } from '../lib/claim-holders.js';
import { installCliTripwire } from '../lib/cli-tripwire.js';
import { installClaude, type InstalledClaude, type TranscriptLine } from '../lib/claude.js';
import { claudeSession } from '../lib/claude-session.js';
import { installCodex, runCodex, writeCodexConfig } from '../lib/codex.js';
import { installCopilot, runCopilot } from '../lib/copilot.js';
import { startGeminiModel } from '../lib/gemini.js';
import { installGeminiCli, runGemini, trustGeminiFolder, writeGeminiSettings } from '../lib/gemini-cli.js';
import { HANDOFFS_COMMAND, handoffs, shellQuote } from '../lib/handoffs-cli.js';
import { tempHome, type TempHome } from '../lib/home.js';
import { initAgent, putOnPath, type InitAgent } from '../lib/init-agent.js';
import { sectionsHolding } from '../lib/merged-context.js';
import { BARRIER_ENV, writeStartBarrier } from '../lib/start-barrier.js';
import type { ModelScript } from '../lib/model-script.js';
import type { ModelServer, RecordedRequest } from '../lib/model-server.js';
import { startChatModel } from '../lib/openai-chat.js';
import { startResponsesModel } from '../lib/openai-responses.js';
import { installOpencode, opencodeBinary, preinstallOpencodeDeps, runOpencode, writeOpencodeConfig } from '../lib/opencode.js';
import { makeRepo } from '../lib/repo.js';
import { originWords, storedHandoffs } from '../lib/stored-handoffs.js';

// Handoffs between real clients of different agents, in one temp HOME and one repository, each
// client set up by `handoffs init --agent NAME` with this checkout's CLI in its hooks. Each agent
// writes its handoff the way its instructions say (`handoffs write` through its own shell tool);
// what each next session received is read from the request its client sent to its scripted model.

type Ok = Extract<Installed, { ok: true }>;

let claude: InstalledClaude;
let codex: Installed;
let gemini: Installed;
let copilot: Installed;
let opencode: Installed;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // One at a time: installs (when the cache is cold) are heavy.
  claude = await installClaude();
  codex = await installCodex();
  gemini = await installGeminiCli();
  copilot = await installCopilot();
  opencode = await installOpencode();
  for (const [name, installed] of Object.entries({ claude, codex, gemini, copilot, opencode })) {
    if (!installed.ok) console.warn(`cross-agent e2e: ${name} cannot be installed, tests that need it are skipped: ${installed.reason}`);
  }
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Skips the test, with the reason printed, unless every client it needs is installed. */
function need(ctx: TestContext, clients: Record<string, Installed | InstalledClaude>): void {
  const missing = Object.entries(clients).filter(([, installed]) => !installed.ok);
  if (missing.length > 0) ctx.skip(missing.map(([name, installed]) => `${name}: ${installed.ok ? '' : installed.reason}`).join('; '));
}

/**
 * A temp HOME with one repository and `init --agent NAME` run for each agent given, with the
 * hooks running this checkout's CLI (or the command `command` writes). Codex's config.toml
 * (pointing it at `codexModel`) is written first: init records its hook trust there.
 */
async function workspace(
  agents: readonly InitAgent[],
  codexModel?: ModelServer,
  command?: (home: TempHome) => Promise<string>,
): Promise<{ home: TempHome; repo: string }> {
  const home = await tempHome();
  cleanups.push(() => home.dispose());
  const repo = await makeRepo(home.home);
  if (agents.includes('codex')) {
    if (codexModel === undefined) throw new Error('workspace: Codex needs its model endpoint before init');
    putOnPath(home.env, codex as Ok);
    await writeCodexConfig(home.home, { modelUrl: codexModel.url });
  }
  if (agents.includes('gemini')) {
    // API-key auth as the user chose it; init merges its hooks into this file.
    await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'));
    await trustGeminiFolder(home.home, repo);
  }
  const hookCommand = command === undefined ? undefined : await command(home);
  for (const agent of agents) {
    const init = await initAgent(agent, home.env, repo, { command: hookCommand });
    expect(init.stderr, `init --agent ${agent}`).toBe('');
    expect(init.code, `init --agent ${agent}`).toBe(0);
  }
  return { home, repo };
}

async function serving<T extends ModelServer>(start: Promise<T>): Promise<T> {
  const server = await start;
  cleanups.push(() => server.close());
  return server;
}

/** The shell command an agent runs to write its handoff, as its instructions block shows it. */
function writeCommand(slug: string, body: string): string {
  return `printf '%s\\n' ${shellQuote(body)} | ${HANDOFFS_COMMAND} write --slug ${slug}`;
}

/** A Claude Code script: write the handoff through the Bash tool, then finish. */
function claudeWrites(slug: string, body: string) {
  return conversation([toolTurn('Bash', { command: writeCommand(slug, body), description: 'Write the handoff' }), textTurn('Handoff written.')]);
}

/** A Codex, Gemini or Copilot script: write the handoff through the shell tool named, then finish. */
function shellWrites(tool: string, field: 'cmd' | 'command', slug: string, body: string): ModelScript {
  const input: Record<string, unknown> = { [field]: writeCommand(slug, body) };
  if (field === 'command') input.description = 'Write the handoff';
  return { turns: [{ tool, input }, { text: 'Handoff written.' }] };
}

/** The POST requests of a model endpoint whose path ends with `suffix`, in order. */
function posts(model: ModelServer, suffix: string): RecordedRequest[] {
  return model.requests.filter((request) => request.method === 'POST' && request.url.split('?')[0]!.endsWith(suffix));
}

/** The text of every string in a request body, joined: what a search for handoff text reads. */
function bodyText(request: RecordedRequest): string {
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(request.json);
  return parts.join('\n');
}

/** Asserts `text` carries the handoff `body` exactly once, under a header naming who wrote it. */
function expectHandedOnce(text: string, body: string, origin: string): void {
  const sections = sectionsHolding(text, body);
  expect(sections, `sections holding ${body}`).toHaveLength(1);
  expect(sections[0]!.header).toContain(origin);
  expect(text.split(body).length - 1).toBe(1);
}

describe('handoffs between agents (real clients, scripted endpoints)', () => {
  it('a round: a Claude Code session ends → the next Codex session of the project gets that handoff once and writes its own at its end → the next Gemini session gets exactly the Codex one; each request carries exactly the handoffs it should', async (ctx) => {
    need(ctx, { claude, codex, gemini });
    const fromClaude = `Claude: the parser is done; wire it into the CLI. marker-${randomUUID()}`;
    const fromCodex = `Codex: the CLI uses the parser; add the error messages. marker-${randomUUID()}`;
    const responses = await serving(startResponsesModel(shellWrites('exec_command', 'cmd', 'codex-part', fromCodex)));
    const { home, repo } = await workspace(['claude', 'codex', 'gemini'], responses);

    // 1. Claude Code writes its handoff through Bash and ends.
    const anthropic = await serving<AnthropicServer>(startAnthropicServer(claudeWrites('claude-part', fromClaude)));
    const first = await claudeSession({ bin: (claude as Extract<InstalledClaude, { ok: true }>).bin, env: home.env, cwd: repo, prompt: 'Finish the parser and hand off.', server: anthropic, args: ['--allowedTools', 'Bash'] });
    expect(first.run.code, first.run.stderr).toBe(0);
    // It wrote its own, so its SessionEnd hook wrote no trace: one handoff is pending, by that session.
    const afterClaude = await storedHandoffs({ env: home.env });
    expect(afterClaude.map((handoff) => [handoff.slug, handoff.meta.agent, handoff.meta.sessionId])).toEqual([['claude-part', 'claude', first.sessionId]]);

    // 2. Codex: its first request carries the Claude handoff once; it writes its own through its shell.
    const second = await runCodex({ installed: codex as Ok, home, cwd: repo, prompt: 'Wire the parser into the CLI and hand off.', args: ['-s', 'workspace-write'] });
    expect(second.exitCode, second.stderr).toBe(0);
    const codexRequests = posts(responses, '/responses');
    expect(codexRequests.length).toBeGreaterThanOrEqual(2);
    expectHandedOnce(bodyText(codexRequests[0]!), fromClaude, originWords('Claude Code', first.sessionId!));
    expect(bodyText(codexRequests[0]!)).toMatch(/Handoffs from 1 earlier session of this project/);
    // The tool ran: its output (the path `write` printed) came back in the next request.
    expect(bodyText(codexRequests[1]!)).toMatch(/_codex-part\.md/);

    // Now pending: exactly the Codex session's handoff, recorded as Codex's.
    const afterCodex = await storedHandoffs({ env: home.env });
    expect(afterCodex.map((handoff) => [handoff.slug, handoff.meta.agent, handoff.meta.sessionId])).toEqual([['codex-part', 'codex', second.sessionId]]);

    // 3. Gemini: exactly the Codex handoff, once, and nothing of Claude's.
    const geminiModel = await serving(startGeminiModel({ turns: [{ text: 'Noted.' }] }));
    const third = await runGemini({ installed: gemini as Ok, home, cwd: repo, modelUrl: geminiModel.url, prompt: 'Add the error messages.' });
    expect(third.exitCode, third.stderr).toBe(0);
    const geminiText = bodyText(geminiModel.requests[0]!);
    expectHandedOnce(geminiText, fromCodex, originWords('Codex', second.sessionId!));
    expect(geminiText).toMatch(/Handoffs from 1 earlier session of this project/);
    expect(geminiText).not.toContain(fromClaude);
  });

  it('a handoff written at the end of a Codex session is received by the next Copilot session of the same project exactly once, and the merged context names its source ("from Codex, session …")', async (ctx) => {
    need(ctx, { codex, copilot });
    const fromCodex = `Codex: the release notes are drafted in NOTES.md. marker-${randomUUID()}`;
    const responses = await serving(startResponsesModel(shellWrites('exec_command', 'cmd', 'release-notes', fromCodex)));
    const { home, repo } = await workspace(['codex', 'copilot'], responses);
    const codexRun = await runCodex({ installed: codex as Ok, home, cwd: repo, prompt: 'Draft the release notes and hand off.', args: ['-s', 'workspace-write'] });
    expect(codexRun.exitCode, codexRun.stderr).toBe(0);
    expect(bodyText(posts(responses, '/responses').at(-1)!)).toMatch(/_release-notes\.md/);

    const chat = await serving(startChatModel({ turns: [{ text: 'Noted.' }] }));
    const first = await runCopilot({ installed: copilot as Ok, home, cwd: repo, modelUrl: chat.url, prompt: 'Review the release notes.' });
    expect(first.exitCode, first.stderr).toBe(0);
    const firstText = bodyText(posts(chat, '/chat/completions')[0]!);
    expectHandedOnce(firstText, fromCodex, originWords('Codex', codexRun.sessionId!));
    expect(firstText).toMatch(/Handoffs from 1 earlier session of this project/);

    const before = posts(chat, '/chat/completions').length;
    const second = await runCopilot({ installed: copilot as Ok, home, cwd: repo, modelUrl: chat.url, prompt: 'Anything else?' });
    expect(second.exitCode, second.stderr).toBe(0);
    for (const request of posts(chat, '/chat/completions').slice(before)) expect(bodyText(request)).not.toContain(fromCodex);
  });

  it('a handoff written at the end of a Gemini session is received by the next OpenCode session exactly once through the package plugin, without a subprocess', async (ctx) => {
    need(ctx, { gemini, opencode });
    const fromGemini = `Gemini: the migration script is written; run it on staging next. marker-${randomUUID()}`;
    const { home, repo } = await workspace(['gemini']);
    const chat = await serving(startChatModel({ turns: [{ text: 'Noted.' }], toollessText: 'Title' }, { models: ['model-a'] }));
    await writeOpencodeConfig(home.home, { modelUrl: chat.url });
    await preinstallOpencodeDeps(opencode as Ok, join(home.home, '.config', 'opencode'));
    const init = await handoffs(['init', '--agent', 'opencode'], { env: home.env, cwd: repo });
    expect(init.stderr, 'init --agent opencode').toBe('');
    expect(init.code, 'init --agent opencode').toBe(0);

    // 1. Gemini writes its handoff inline through its shell tool, as its instructions show, and
    // ends. Gemini CLI 0.61.0 gives its shell no session variable (only its hooks get
    // GEMINI_SESSION_ID), so the handoff names no session; its end hook finds the write in the
    // session's chat log and adds no trace (a trace would quote the command, body and all, and
    // hand the body to the next session a second time).
    const geminiModel = await serving(
      startGeminiModel({
        turns: [
          { tool: 'run_shell_command', input: { command: writeCommand('migration', fromGemini), description: 'Write the handoff' } },
          { text: 'Handoff written.' },
        ],
      }),
    );
    const geminiRun = await runGemini({ installed: gemini as Ok, home, cwd: repo, modelUrl: geminiModel.url, prompt: 'Write the migration and hand off.', args: ['--approval-mode', 'yolo'] });
    expect(geminiRun.exitCode, geminiRun.stderr).toBe(0);
    const pending = await storedHandoffs({ env: home.env });
    expect(pending.map((handoff) => [handoff.slug, handoff.meta.agent, handoff.state])).toEqual([['migration', 'gemini', 'pending']]);
    expect(pending[0]!.body).toContain(fromGemini);

    // 2. OpenCode, with no `handoffs` command to run (a tripwire in its place) and each claim's
    // holder looked up as it appears: its first request carries the Gemini handoff once.
    const tripwire = await installCliTripwire(home.home, home.env);
    const claims = watchClaimHolders(join(home.home, '.claude', 'handoffs'));
    cleanups.push(async () => claims.stop());
    const registryUrl = `${chat.url}/npm-registry/`;
    const first = await runOpencode({ installed: opencode as Ok, home, cwd: repo, prompt: 'hello', registryUrl });
    expect(first.exitCode, first.stderr).toBe(0);
    const firstPosts = posts(chat, '/chat/completions');
    const main = firstPosts.filter((request) => ((request.json as { tools?: unknown[] }).tools?.length ?? 0) > 0);
    expect(main).toHaveLength(1);
    expectHandedOnce(bodyText(main[0]!), fromGemini, 'from Gemini CLI');
    expect(chat.requests.filter((request) => request.url.startsWith('/npm-registry/'))).toEqual([]);

    // Consumed, by the OpenCode process itself.
    const stored = (await storedHandoffs({ env: home.env, all: true })).filter((handoff) => handoff.body.includes(fromGemini));
    expect(stored.map((handoff) => handoff.state)).toEqual(['consumed']);
    expect(await tripwire.calls()).toEqual([]);
    const opencodeExe = await realpath(opencodeBinary(opencode as Ok));
    expect(claims.seen.length).toBeGreaterThan(0);
    for (const claim of claims.seen) expect(claim.exe, `${claim.name} held by ${claim.commandLine}`).toBe(opencodeExe);

    // 3. The next OpenCode session does not get it again.
    const before = posts(chat, '/chat/completions').length;
    const second = await runOpencode({ installed: opencode as Ok, home, cwd: repo, prompt: 'again', registryUrl });
    expect(second.exitCode, second.stderr).toBe(0);
    const later = posts(chat, '/chat/completions').slice(before);
    expect(later.length).toBeGreaterThan(0);
    for (const request of later) expect(bodyText(request)).not.toContain(fromGemini);
  });

  it('two sessions of different agents starting at once on one pending handoff: exactly one request carries it', async (ctx) => {
    need(ctx, { claude, codex });
    const rounds = 3;
    const anthropic = await serving<AnthropicServer>(startAnthropicServer(conversation([textTurn('Noted.')])));
    const responses = await serving(startResponsesModel({ turns: [{ text: 'Noted.' }] }));
    // Claude Code reaches its start hook about a second after Codex: a barrier in front of the real
    // CLI holds each start hook until both have arrived, so the two claims really race.
    const { home } = await workspace(['claude', 'codex'], responses, (home) => writeStartBarrier(join(home.home, 'bin', 'handoffs-barrier'), 2));
    const winners: string[] = [];
    for (let round = 0; round < rounds; round++) {
      // A repository of its own per round: only this round's handoff is pending in it.
      const repo = await makeRepo(home.home, `race-${round}`);
      const body = `Round ${round}: one of you takes this. marker-${randomUUID()}`;
      const written = await handoffs(['write', '--slug', 'contended', '--agent', 'gemini', '--session', randomUUID()], { env: home.env, cwd: repo, input: body });
      expect(written.code, written.stderr).toBe(0);

      home.env[BARRIER_ENV] = join(home.home, 'barriers', `round-${round}`);
      const codexBefore = posts(responses, '/responses').length;
      const [claudeRun, codexRun] = await Promise.all([
        claudeSession({ bin: (claude as Extract<InstalledClaude, { ok: true }>).bin, env: home.env, cwd: repo, prompt: 'hello', server: anthropic }),
        runCodex({ installed: codex as Ok, home, cwd: repo, prompt: 'hello' }),
      ]);
      expect(claudeRun.run.code, claudeRun.run.stderr).toBe(0);
      expect(codexRun.exitCode, codexRun.stderr).toBe(0);
      const claudeGot = requestText(claudeRun.requests[0]!).split(body).length - 1;
      const codexGot = bodyText(posts(responses, '/responses')[codexBefore]!).split(body).length - 1;
      expect([claudeGot, codexGot].sort()).toEqual([0, 1]);
      winners.push(claudeGot === 1 ? 'claude' : 'codex');

      // Where each client's start hook ran, by the client's own records: Claude's transcript line
      // (end time and durationMs), Codex's stderr lines as they arrived.
      const claudeHook = hookWindow(claudeRun.transcript);
      const codexStart = arrival(codexRun.stderrTimeline, 'hook: SessionStart\n');
      const codexDone = arrival(codexRun.stderrTimeline, 'hook: SessionStart Completed');
      const overlap = claudeHook && codexStart && codexDone ? Math.min(claudeHook.end, codexDone) - Math.max(claudeHook.start, codexStart) : undefined;
      const note = `round ${round}: ${winners.at(-1)} got it; start hooks ran ${claudeHook ? `${claudeHook.end - claudeHook.start} ms` : '?'} (Claude) and ${codexStart && codexDone ? `${codexDone - codexStart} ms` : '?'} (Codex), overlapping ${overlap ?? '?'} ms`;
      ctx.annotate(note);
      console.log(note);
      expect(overlap, `Codex stderr: ${codexRun.stderr}`).toBeGreaterThan(0);
      // Handed once and acknowledged: nothing of it is pending or claimed any more.
      expect((await storedHandoffs({ env: home.env })).filter((handoff) => handoff.body.includes(body))).toEqual([]);
    }
    console.log(`race winners over ${rounds} rounds: ${winners.join(', ')}`);
  });
});

/**
 * When `text` had fully arrived on a stream read in chunks: the time of the chunk that completed its
 * first occurrence. A line can be split across two chunks, so the chunks are searched joined.
 */
function arrival(timeline: ReadonlyArray<{ readonly at: number; readonly text: string }>, text: string): number | undefined {
  const index = timeline.map((chunk) => chunk.text).join('').indexOf(text);
  if (index < 0) return undefined;
  let end = 0;
  for (const chunk of timeline) {
    end += chunk.text.length;
    if (end >= index + text.length) return chunk.at;
  }
  return undefined;
}

/** When Claude Code's SessionStart hook ran, from its `hook_success` transcript line. */
function hookWindow(transcript: readonly TranscriptLine[]): { start: number; end: number } | undefined {
  const line = transcript.find((item) => {
    const attachment = item.attachment as { type?: string; hookEvent?: string } | undefined;
    return item.type === 'attachment' && attachment?.type === 'hook_success' && attachment.hookEvent === 'SessionStart';
  });
  const duration = (line?.attachment as { durationMs?: number } | undefined)?.durationMs;
  if (line === undefined || typeof line.timestamp !== 'string' || duration === undefined) return undefined;
  const end = Date.parse(line.timestamp);
  return { start: end - duration, end };
}
