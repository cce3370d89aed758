import { randomUUID } from 'node:crypto';
import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversation, occurrences, requestText, startAnthropicServer, textTurn, type AnthropicServer } from '../lib/anthropic.js';
import { attachments, hookRunsInDebugLog, installClaude } from '../lib/claude.js';
import { claudeSession, debugFileFor } from '../lib/claude-session.js';
import { handoffs, initClaude } from '../lib/handoffs-cli.js';
import { addRecordingHooks, recordedHookInputs } from '../lib/hook-recorder.js';
import { tempHome, type TempHome } from '../lib/home.js';
import { storedHandoffs } from '../lib/stored-handoffs.js';

// A session that fails before its first model turn: no API key, so Claude Code 2.1.197 prints
// "Not logged in · Please run /login" and exits 1, having already run its SessionStart hooks.

const claude = await installClaude();
if (!claude.ok) console.warn(`skipping Claude Code e2e: ${claude.reason}`);

describe.skipIf(!claude.ok)('a real Claude Code session that is not logged in', () => {
  let home: TempHome;
  let server: AnthropicServer;
  let project: string;

  beforeAll(async () => {
    home = await tempHome();
    server = await startAnthropicServer(conversation([textTurn('Noted.')]));
    project = join(home.home, 'project');
    await mkdir(project);
    await mkdir(join(home.home, 'project-give-back'));
    expect((await initClaude(home.env)).code).toBe(0);
    await addRecordingHooks(home.home, ['SessionStart', 'SessionEnd']);
  });

  afterAll(async () => {
    await server?.close();
    await home?.dispose();
  });

  it('runs SessionStart and SessionEnd, sends no request, and leaves a transcript ending in a <synthetic> message', async () => {
    const written = await handoffs(['write', '--slug', 'pending'], { env: home.env, cwd: project, input: `marker-${randomUUID()}` });
    expect(written.code).toBe(0);

    const failed = await claudeSession({
      bin: claude.ok ? claude.bin : '',
      env: home.env,
      cwd: project,
      prompt: 'hello',
      server,
      apiKey: null,
      debugFile: debugFileFor(home.home, 'not-logged-in'),
    });
    expect(failed.run.code).toBe(1);
    expect(failed.run.stdout.trim()).toBe('Not logged in · Please run /login');
    expect(failed.requests).toHaveLength(0);
    expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(0);

    // What each hook got on stdin.
    const transcriptPath = join(home.home, '.claude', 'projects', (await realpath(project)).replace(/[^A-Za-z0-9]/g, '-'), `${failed.sessionId}.jsonl`);
    const [start] = await recordedHookInputs(home.home, 'SessionStart');
    expect(start).toEqual({
      session_id: failed.sessionId,
      transcript_path: transcriptPath,
      cwd: await realpath(project),
      hook_event_name: 'SessionStart',
      source: 'startup',
    });
    const [end] = await recordedHookInputs(home.home, 'SessionEnd');
    expect(end).toEqual({
      session_id: failed.sessionId,
      transcript_path: transcriptPath,
      cwd: await realpath(project),
      prompt_id: expect.any(String),
      hook_event_name: 'SessionEnd',
      reason: 'other',
    });

    // handoffs' own hooks ran and exited 0.
    const started = attachments(failed.transcript, 'hook_success').filter((hook) => hook.command?.includes('start --hook'));
    expect(started).toHaveLength(1);
    expect(started[0]!.exitCode).toBe(0);
    const ended = hookRunsInDebugLog(failed.debugLog ?? '').filter((run) => run.command.includes('end --hook'));
    expect(ended).toEqual([expect.objectContaining({ event: 'SessionEnd', matcher: 'other', status: 0 })]);

    // The transcript: the prompt, then one assistant message that no model wrote.
    expect(failed.transcriptPath).toBe(transcriptPath);
    const user = failed.transcript.filter((line) => line.type === 'user');
    expect(user).toEqual([expect.objectContaining({ message: { role: 'user', content: 'hello' } })]);
    const assistant = failed.transcript.filter((line) => line.type === 'assistant');
    expect(assistant).toHaveLength(1);
    expect(assistant[0]).toMatchObject({
      error: 'authentication_failed',
      isApiErrorMessage: true,
      message: {
        model: '<synthetic>',
        role: 'assistant',
        content: [{ type: 'text', text: 'Not logged in · Please run /login' }],
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  });

  it('gives its claims back: the handoff it claimed at SessionStart is pending again, and the next real session receives it', async () => {
    const cwd = await realpath(join(home.home, 'project-give-back'));
    const body = `Half-done migration; run step 3 next. marker-${randomUUID()}`;
    const written = await handoffs(['write', '--slug', 'migration'], { env: home.env, cwd, input: body });
    expect(written.code, written.stderr).toBe(0);
    const ofProject = async () => (await storedHandoffs({ env: home.env })).filter((handoff) => handoff.meta.project === cwd);
    const [before] = await ofProject();

    const failed = await claudeSession({
      bin: claude.ok ? claude.bin : '',
      env: home.env,
      cwd,
      prompt: 'Carry on with the migration.',
      server,
      apiKey: null,
      debugFile: debugFileFor(home.home, 'give-back'),
    });
    expect(failed.run.code).toBe(1);
    expect(failed.requests).toHaveLength(0);
    // Its SessionStart hook did claim the handoff and hand it to the client ...
    const handed = attachments(failed.transcript, 'hook_additional_context');
    expect(JSON.stringify(handed.map((item) => item.content))).toContain(body);
    // ... and its SessionEnd hook, seeing no model reply, gave it back and wrote nothing else.
    const ended = hookRunsInDebugLog(failed.debugLog ?? '').filter((run) => run.event === 'SessionEnd' && run.command.includes(' end --hook --agent claude'));
    expect(ended).toEqual([expect.objectContaining({ status: 0 })]);
    const after = await ofProject();
    expect(after.map((handoff) => [handoff.state, handoff.body])).toEqual([['pending', before!.body]]);
    expect(after[0]!.body).toContain(body);

    const next = await claudeSession({ bin: claude.ok ? claude.bin : '', env: home.env, cwd, prompt: 'Carry on with the migration.', server });
    expect(next.run.code, next.run.stderr).toBe(0);
    expect(occurrences(requestText(next.requests[0]!), body)).toBe(1);
    expect((await ofProject()).some((handoff) => handoff.body.includes(body))).toBe(false);
  });
});
