import { mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occurrences, requestText, startAnthropicServer, textTurn, toolTurn, type AnthropicServer, type MessagesRequest, type ScriptedTurn } from '../lib/anthropic.js';
import { hookRunsInDebugLog, installClaude, projectFolderName } from '../lib/claude.js';
import { claudeSession, debugFileFor } from '../lib/claude-session.js';
import { initClaude } from '../lib/handoffs-cli.js';
import { addRecordingHooks, clearRecordedHookInputs, recordedHookInputs } from '../lib/hook-recorder.js';
import { tempHome, type TempHome } from '../lib/home.js';
import { originWords, storedHandoffs, tagsOf } from '../lib/stored-handoffs.js';

// Compaction in `claude -p`: `/compact` as the prompt of a resumed session compacts it. What the
// PreCompact, PostCompact and SessionStart hooks receive, read from recording hooks.

const claude = await installClaude();
if (!claude.ok) console.warn(`skipping Claude Code e2e: ${claude.reason}`);

const SUMMARY = 'The user asked for echo steps; all ran. Nothing is pending.';

/** Two Bash calls per prompt, then a text; a compaction request gets a summary; "Just say hi." a text. */
function script(request: MessagesRequest): ScriptedTurn {
  const text = requestText(request);
  if (text.includes('Your task is to create a detailed summary')) return textTurn(`<analysis>Echo steps.</analysis>\n<summary>${SUMMARY}</summary>`);
  if (text.includes('Just say hi.')) return textTurn('Hi.');
  let sincePrompt = 0;
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index]!;
    const isToolResult = Array.isArray(message.content) && message.content.some((block: { type?: unknown }) => block.type === 'tool_result');
    if (message.role === 'user' && !isToolResult) break;
    if (message.role === 'assistant') sincePrompt += 1;
  }
  return sincePrompt < 2 ? toolTurn('Bash', { command: `echo step ${sincePrompt + 1}`, description: 'Echo a step' }) : textTurn('Steps done.');
}

describe.skipIf(!claude.ok)('compaction in real Claude Code -p sessions', () => {
  let home: TempHome;
  let server: AnthropicServer;

  beforeAll(async () => {
    home = await tempHome();
    server = await startAnthropicServer(script);
    await addRecordingHooks(home.home, ['SessionStart', 'PreCompact', 'PostCompact', 'SessionEnd']);
  });

  afterAll(async () => {
    await server?.close();
    await home?.dispose();
  });

  const run = (cwd: string, prompt: string, resume: boolean) =>
    claudeSession({
      bin: claude.ok ? claude.bin : '',
      env: home.env,
      cwd,
      prompt,
      server,
      args: [...(resume ? ['--continue'] : []), '--allowedTools', 'Bash'],
    });

  it('runs PreCompact, then SessionStart with source "compact", then PostCompact, each with its own input', async () => {
    const cwd = join(await realpath(home.home), 'long-session');
    await mkdir(cwd);
    const first = await run(cwd, 'Run the first steps.', false);
    expect(first.run.code).toBe(0);
    expect((await run(cwd, 'Run more steps.', true)).run.code).toBe(0);
    await clearRecordedHookInputs(home.home);

    const compacted = await run(cwd, '/compact keep the step numbers', true);
    expect(compacted.run.code).toBe(0);
    expect(compacted.sessionId).toBe(first.sessionId);

    const common = {
      session_id: first.sessionId,
      transcript_path: join(home.home, '.claude', 'projects', projectFolderName(cwd), `${first.sessionId}.jsonl`),
      cwd,
    };
    const inputs = await recordedHookInputs(home.home);
    expect(inputs.map((input) => `${String(input.hook_event_name)}:${String(input.source ?? input.trigger ?? input.reason)}`)).toEqual([
      'SessionStart:resume',
      'PreCompact:manual',
      'SessionStart:compact',
      'PostCompact:manual',
      'SessionEnd:other',
    ]);
    expect(inputs[0]).toEqual({ ...common, hook_event_name: 'SessionStart', source: 'resume' });
    expect(inputs[1]).toEqual({
      ...common,
      prompt_id: expect.any(String),
      hook_event_name: 'PreCompact',
      trigger: 'manual',
      custom_instructions: 'keep the step numbers',
    });
    expect(inputs[3]).toEqual({
      ...common,
      prompt_id: inputs[1]!.prompt_id,
      hook_event_name: 'PostCompact',
      trigger: 'manual',
      compact_summary: `<analysis>Echo steps.</analysis>\n<summary>${SUMMARY}</summary>`,
    });
    // Unlike the start-up one, the SessionStart after compaction carries prompt_id and model.
    expect(inputs[2]).toEqual({
      ...common,
      prompt_id: inputs[1]!.prompt_id,
      hook_event_name: 'SessionStart',
      source: 'compact',
      model: expect.any(String),
    });
    expect(inputs[4]).toEqual({ ...common, prompt_id: inputs[1]!.prompt_id, hook_event_name: 'SessionEnd', reason: 'other' });

    // The compacted conversation goes on from the summary.
    await clearRecordedHookInputs(home.home);
    const next = await run(cwd, 'What now?', true);
    expect(next.run.code).toBe(0);
    expect(requestText(next.requests[0]!)).toContain(SUMMARY);
  });

  it('runs PreCompact even when there is too little to compact, and then nothing else of compaction', async () => {
    const cwd = join(await realpath(home.home), 'short-session');
    await mkdir(cwd);
    expect((await run(cwd, 'Just say hi.', false)).run.code).toBe(0);
    await clearRecordedHookInputs(home.home);

    const attempt = await run(cwd, '/compact', true);
    expect(attempt.run.code).toBe(0);
    expect(attempt.run.stdout.trim()).toBe('Not enough messages to compact.');
    const inputs = await recordedHookInputs(home.home);
    expect(inputs.map((input) => `${String(input.hook_event_name)}:${String(input.source ?? input.trigger ?? input.reason)}`)).toEqual([
      'SessionStart:resume',
      'PreCompact:manual',
      'SessionEnd:other',
    ]);
    expect(inputs[1]).toMatchObject({ hook_event_name: 'PreCompact', trigger: 'manual', custom_instructions: null });
  });

  it('`handoffs precompact --hook` (registered by init) writes a trace built from the transcript before /compact, and the next session of the project receives it', async () => {
    // A HOME of its own, set up by `handoffs init` alone (no recording hooks).
    const own = await tempHome();
    try {
      const init = await initClaude(own.env);
      expect(init.code, init.stderr).toBe(0);
      const cwd = join(await realpath(own.home), 'compacted');
      await mkdir(cwd);
      const session = (prompt: string, resume: boolean, label: string) =>
        claudeSession({
          bin: claude.ok ? claude.bin : '',
          env: own.env,
          cwd,
          prompt,
          server,
          args: [...(resume ? ['--continue'] : []), '--allowedTools', 'Bash'],
          debugFile: debugFileFor(own.home, label),
        });
      const first = await session('Run the first steps.', false, 'first');
      expect(first.run.code, first.run.stderr).toBe(0);
      const compacted = await session('/compact keep the step numbers', true, 'compact');
      expect(compacted.run.code, compacted.run.stderr).toBe(0);
      expect(compacted.sessionId).toBe(first.sessionId);

      // The client ran init's PreCompact hook, and it exited 0 ...
      const precompact = hookRunsInDebugLog(compacted.debugLog ?? '').filter((run) => run.event === 'PreCompact');
      expect(precompact).toEqual([
        expect.objectContaining({ matcher: 'manual', command: expect.stringMatching(/^HANDOFFS_INIT=1 .* precompact --hook --agent claude$/), status: 0 }),
      ]);
      // ... before the compaction it precedes: the compact boundary is written after the hook finished.
      const boundary = compacted.transcript.find((line) => line.subtype === 'compact_boundary');
      expect(boundary).toBeDefined();
      expect(Date.parse(precompact[0]!.at)).toBeLessThan(Date.parse(String(boundary!.timestamp)));

      const stored = await storedHandoffs({ env: own.env });
      const traces = stored.filter((handoff) => tagsOf(handoff).includes('before-compact'));
      expect(traces).toHaveLength(1);
      const trace = traces[0]!;
      expect(trace.meta).toMatchObject({ agent: 'claude', sessionId: first.sessionId, project: cwd });
      expect(Date.parse(trace.createdAt)).toBeLessThan(Date.parse(String(boundary!.timestamp)));
      const title = `Compacting: Claude Code session ${first.sessionId} wrote no handoff`;
      expect(trace.body).toContain(title);
      expect(trace.body).toContain('### Request\n\n> Run the first steps.\n');
      expect(trace.body).toContain('### Commands (2)\n\n- `echo step 1`\n- `echo step 2`\n');
      expect(trace.body).toContain('### Last message\n\n> Steps done.\n');

      const next = await claudeSession({ bin: claude.ok ? claude.bin : '', env: own.env, cwd, prompt: 'Just say hi.', server });
      expect(next.run.code, next.run.stderr).toBe(0);
      expect(occurrences(requestText(next.requests[0]!), title)).toBe(1);
      expect(occurrences(requestText(next.requests[0]!), originWords('Claude Code', first.sessionId!))).toBeGreaterThanOrEqual(1);
    } finally {
      await own.dispose();
    }
  });
});
