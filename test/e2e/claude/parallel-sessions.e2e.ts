import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  occurrences,
  requestText,
  startAnthropicServer,
  textTurn,
  toolTurn,
  type AnthropicServer,
  type MessagesRequest,
  type ScriptedTurn,
} from '../lib/anthropic.js';
import { installClaude, sessionIdOf } from '../lib/claude.js';
import { claudeSession } from '../lib/claude-session.js';
import { HANDOFFS_COMMAND, handoffs, initClaude, shellQuote } from '../lib/handoffs-cli.js';
import { tempHome, type TempHome } from '../lib/home.js';

// Five real sessions of one project end at the same moment, each having written its handoff the
// way an agent does: the scripted model runs `handoffs write` through Claude Code's Bash tool.

const claude = await installClaude();
if (!claude.ok) console.warn(`skipping Claude Code e2e: ${claude.reason}`);

const SESSIONS = 5;

describe.skipIf(!claude.ok)('five real Claude Code sessions ending at once', () => {
  let home: TempHome;
  let server: AnthropicServer;
  let project: string;
  const bodies = Array.from({ length: SESSIONS }, (_, index) => `Session ${index} finished its part. marker-${index}-${randomUUID()}`);

  // Two barriers, each holding every session's reply until all five have asked for it. The first
  // makes sure all five have started (their SessionStart hooks run before their first request)
  // before any writes its handoff, so no session's start claims another's handoff. The second
  // makes all five end, and run their SessionEnd hooks, at the same moment.
  const started = barrier(SESSIONS);
  const finishing = barrier(SESSIONS);

  const script = async (request: MessagesRequest): Promise<ScriptedTurn> => {
    const text = requestText(request);
    const index = bodies.findIndex((_, candidate) => text.includes(`parallel session ${candidate} of ${SESSIONS}`));
    if (index < 0) return textTurn('Nothing to do.');
    const turn = request.messages.filter((message) => message.role === 'assistant').length;
    if (turn === 0) {
      await started.arrive(request);
      const command = `printf '%s\\n' ${shellQuote(bodies[index]!)} | ${HANDOFFS_COMMAND} write --slug parallel-${index}`;
      return toolTurn('Bash', { command, description: 'Write the handoff' });
    }
    await finishing.arrive(request);
    return textTurn('Handoff written.');
  };

  beforeAll(async () => {
    home = await tempHome();
    server = await startAnthropicServer(script);
    project = join(home.home, 'project');
    await mkdir(project);
    const init = await initClaude(home.env);
    expect(init.code).toBe(0);
  });

  afterAll(async () => {
    await server?.close();
    await home?.dispose();
  });

  const session = (prompt: string, args: string[] = []) =>
    claudeSession({ bin: claude.ok ? claude.bin : '', env: home.env, cwd: project, prompt, server, args });

  it('hands every one of the five handoffs to the next session once, and none to the one after', async () => {
    const ended = await Promise.all(
      bodies.map((_, index) => session(`You are parallel session ${index} of ${SESSIONS}. Write your handoff.`, ['--allowedTools', 'Bash'])),
    );
    for (const run of ended) {
      expect(run.run.stderr).toBe('');
      expect(run.run.code).toBe(0);
      expect(run.run.stdout).toContain('Handoff written.');
    }
    // The tool really ran: each session's second request carries the path `write` printed.
    for (const run of ended) expect(requestText(run.requests.at(-1)!)).toMatch(/_parallel-\d\.md/);

    const listed = await handoffs(['list', '--json'], { env: home.env, cwd: project });
    expect(listed.code).toBe(0);
    const pending = JSON.parse(listed.stdout) as Array<{ name: string; slug: string }>;
    console.log(`pending after the five sessions: ${pending.map((ref) => ref.name).join(', ')}`);
    // One handoff per session and no SessionEnd trace besides: each `write` recorded the id of
    // the session it ran in (exported by the SessionStart hook through CLAUDE_ENV_FILE), so the
    // SessionEnd hook saw that its session had written one.
    expect(pending).toHaveLength(SESSIONS);
    for (let index = 0; index < SESSIONS; index++) {
      const [ref] = pending.filter((candidate) => candidate.slug === `parallel-${index}`);
      expect(ref).toBeDefined();
      const shown = await handoffs(['show', ref!.name, '--json'], { env: home.env, cwd: project });
      expect(shown.code).toBe(0);
      const handoff = JSON.parse(shown.stdout) as { body: string; meta: { sessionId?: string } };
      expect(handoff.body).toContain(bodies[index]);
      expect(handoff.meta.sessionId).toBe(ended[index]!.sessionId);
    }

    const next = await session('What did the earlier sessions leave me?');
    expect(next.run.code).toBe(0);
    const nextText = requestText(next.requests[0]!);
    for (const body of bodies) expect(occurrences(nextText, body)).toBe(1);

    const after = await session('Anything new?');
    expect(after.run.code).toBe(0);
    for (const request of after.requests) for (const body of bodies) expect(requestText(request)).not.toContain(body);
  });
});

/**
 * Resolves every `arrive` once `count` different sessions have arrived. A session is told apart by
 * the session id its request carries, so a retried request does not count twice.
 */
function barrier(count: number): { arrive(request: MessagesRequest): Promise<void> } {
  const arrived = new Set<string>();
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    arrive(request) {
      arrived.add(sessionIdOf(request) ?? `unknown-${arrived.size}`);
      if (arrived.size >= count) open();
      return opened;
    },
  };
}
