import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversation, occurrences, requestText, startAnthropicServer, textTurn, type AnthropicServer } from '../lib/anthropic.js';
import { attachments, hookRunsInDebugLog, installClaude } from '../lib/claude.js';
import { claudeSession, debugFileFor } from '../lib/claude-session.js';
import { handoffs, initClaude } from '../lib/handoffs-cli.js';
import { tempHome, type TempHome } from '../lib/home.js';

// `handoffs init` on a fresh HOME, then real Claude Code sessions: what reached the model is read
// from the request bodies the real client sent, and how the hooks ran from its own records.

const claude = await installClaude();
if (!claude.ok) console.warn(`skipping Claude Code e2e: ${claude.reason}`);

/** The prefix Claude Code 2.1.197 puts before a SessionStart hook's additionalContext. */
const WRAPPER = 'SessionStart hook additional context: ';

describe.skipIf(!claude.ok)('handoffs init, then real Claude Code sessions', () => {
  let home: TempHome;
  let server: AnthropicServer;
  let project: string;

  beforeAll(async () => {
    home = await tempHome();
    server = await startAnthropicServer(conversation([textTurn('Noted.')]));
    project = join(home.home, 'project');
    await mkdir(project);
    const init = await initClaude(home.env);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
  });

  afterAll(async () => {
    await server?.close();
    await home?.dispose();
  });

  const session = (label: string, prompt: string) =>
    claudeSession({
      bin: claude.ok ? claude.bin : '',
      env: home.env,
      cwd: project,
      prompt,
      server,
      debugFile: debugFileFor(home.home, label),
    });

  it('delivers a pending handoff to the first request as SessionStart hook context, once, and never again', async () => {
    const body = `Deploy is half done; run the migration next. marker-${randomUUID()}`;
    const written = await handoffs(['write', '--slug', 'deploy'], { env: home.env, cwd: project, input: body });
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);

    const first = await session('first', 'hello');
    expect(first.run.code).toBe(0);
    expect(first.requests.length).toBeGreaterThan(0);
    const firstText = requestText(first.requests[0]!);
    expect(occurrences(firstText, body)).toBe(1);
    // The body arrives inside the hook's context, not through some other channel.
    const carrier = contentHolding(first.requests[0]!.messages, body);
    expect(carrier).toBeDefined();
    expect(carrier!.indexOf(WRAPPER)).toBeGreaterThanOrEqual(0);
    expect(carrier!.indexOf(WRAPPER)).toBeLessThan(carrier!.indexOf(body));

    // Both hooks ran and exited 0, as the client recorded it: SessionStart in the transcript,
    // SessionEnd in the debug log (2.1.197 writes no transcript line for SessionEnd hooks).
    const started = attachments(first.transcript, 'hook_success').filter((hook) => hook.hookEvent === 'SessionStart');
    expect(started).toHaveLength(1);
    expect(started[0]!.exitCode).toBe(0);
    expect(started[0]!.command).toContain('start --hook');
    expect(started[0]!.durationMs).toEqual(expect.any(Number));
    const context = attachments(first.transcript, 'hook_additional_context');
    expect(JSON.stringify(context.map((item) => item.content))).toContain(body);
    const ended = hookRunsInDebugLog(first.debugLog ?? '').filter((run) => run.event === 'SessionEnd');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.command).toContain('end --hook');
    expect(ended[0]!.status).toBe(0);
    console.log(`SessionStart hook (handoffs start --hook) durationMs as recorded by Claude Code: ${started[0]!.durationMs}`);

    const second = await session('second', 'hello again');
    expect(second.run.code).toBe(0);
    expect(second.requests.length).toBeGreaterThan(0);
    for (const request of second.requests) expect(requestText(request)).not.toContain(body);
  });

  it("records the SessionStart hook's durationMs in every session's transcript, with nothing to hand and with handoffs to hand", async () => {
    const rounds = 4;
    const empty: number[] = [];
    const handing: number[] = [];
    const hookDuration = (lines: Awaited<ReturnType<typeof session>>['transcript']): number => {
      const [hook, ...others] = attachments(lines, 'hook_success').filter((item) => item.hookEvent === 'SessionStart' && item.command?.includes(' start --hook --agent claude'));
      expect(others).toEqual([]);
      expect(hook?.exitCode).toBe(0);
      expect(hook?.durationMs).toEqual(expect.any(Number));
      return hook!.durationMs!;
    };
    for (let round = 0; round < rounds; round++) {
      // A project of its own: nothing is pending for its first session.
      const cwd = join(home.home, `timed-${round}`);
      await mkdir(cwd);
      const fresh = await claudeSession({ bin: claude.ok ? claude.bin : '', env: home.env, cwd, prompt: 'hello', server });
      expect(fresh.run.code).toBe(0);
      expect(attachments(fresh.transcript, 'hook_additional_context')).toEqual([]);
      empty.push(hookDuration(fresh.transcript));
      // Pending now: the first session's trace and one written handoff.
      const body = `Timed handoff ${round}. marker-${randomUUID()}`;
      expect((await handoffs(['write', '--slug', 'timed'], { env: home.env, cwd, input: body })).code).toBe(0);
      const handed = await claudeSession({ bin: claude.ok ? claude.bin : '', env: home.env, cwd, prompt: 'hello', server });
      expect(handed.run.code).toBe(0);
      expect(occurrences(requestText(handed.requests[0]!), body)).toBe(1);
      handing.push(hookDuration(handed.transcript));
    }
    const summary = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `median ${sorted[Math.floor(sorted.length / 2)]} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms (${values.join(', ')})`;
    };
    console.log(`SessionStart hook durationMs, nothing pending: ${summary(empty)}`);
    console.log(`SessionStart hook durationMs, 2 handoffs handed: ${summary(handing)}`);
  });
});

/** The one text item of a request's messages that contains `needle`. */
function contentHolding(messages: ReadonlyArray<{ content: unknown }>, needle: string): string | undefined {
  for (const message of messages) {
    const items = typeof message.content === 'string' ? [message.content] : Array.isArray(message.content) ? message.content : [];
    for (const item of items) {
      const text = typeof item === 'string' ? item : (item as { text?: unknown }).text;
      if (typeof text === 'string' && text.includes(needle)) return text;
    }
  }
  return undefined;
}
