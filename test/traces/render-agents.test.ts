import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTranscript, renderTrace } from '../../src/index.js';

const fixture = (path: string) => join('test', 'fixtures', 'transcripts', ...path.split('/'));

// Each agent's traces render through the same renderTrace as Claude Code's (render.test.ts pins
// those); these pin what each reader gives it, read with the agent told from the first line.
describe('renderTrace, pinned for the Codex, Gemini CLI and Copilot CLI fixtures (default budget)', () => {
  it('Codex rollout', async () => {
    expect(renderTrace(await readTranscript(fixture('codex/rollout.jsonl')))).toBe(
      [
        'Trace of Codex session 01a21463-08e8-7fa0-b081-58221ec08060, read from its transcript: 3 model turns, 2 tool calls.',
        '',
        '### Request',
        '',
        '> Start a notes folder with a todo list and a plan.',
        '',
        '### Files changed (2)',
        '',
        '- notes/plan.md (created)',
        '- notes/todo.txt (edited)',
        '',
        '### Commands (1)',
        '',
        '- `mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes`',
        '',
        '### Last message',
        '',
        '> Created notes/todo.txt and notes/plan.md.',
        '',
        'Transcript: test/fixtures/transcripts/codex/rollout.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Codex failures: moves and deletions, a failed command, a second request', async () => {
    expect(renderTrace(await readTranscript(fixture('codex/failures.jsonl')))).toBe(
      [
        'Trace of Codex session 01a21491-c3b9-7440-99ef-6e4d962d1e4c, read from its transcript: 6 model turns, 4 tool calls.',
        '',
        '### Request',
        '',
        '> Tidy the repository.',
        '',
        '### Latest request',
        '',
        '> Check the docs folder.',
        '',
        '### Files changed (5)',
        '',
        '- src/app.ts (created)',
        '- README.md (deleted)',
        '- docs/README.md (created)',
        '- notes/old.txt (deleted)',
        '- src/extra.ts (created)',
        '',
        '### Commands (2)',
        '',
        '- `cat missing.txt` — failed (exit 1)',
        '- `apply_patch <<\'PATCH\'` …',
        '',
        '### Last message',
        '',
        '> Moved README.md to docs/, added src/app.ts, removed notes/old.txt. missing.txt does not exist.',
        '',
        'Transcript: test/fixtures/transcripts/codex/failures.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Codex compacted', async () => {
    expect(renderTrace(await readTranscript(fixture('codex/compacted.jsonl')))).toBe(
      [
        'Trace of Codex session 01a21494-2152-70d2-8e14-4c0bcab7b15d, read from its transcript: 3 model turns, 2 tool calls, compacted.',
        '',
        '### Request',
        '',
        '> Run the steps.',
        '',
        '### Commands (2)',
        '',
        '- `echo step 1`',
        '- `echo step 2`',
        '',
        '### Last message',
        '',
        '> Steps done.',
        '',
        'Transcript: test/fixtures/transcripts/codex/compacted.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Codex no-reply: no work, and why', async () => {
    expect(renderTrace(await readTranscript(fixture('codex/no-reply.jsonl')))).toBe(
      [
        'Trace of Codex session 01a21494-2482-7772-bd37-d64b252df910, read from its transcript: no model reply, the session did no work.',
        'Last error: We’re currently experiencing high demand, which may cause temporary errors.',
        '',
        '### Request',
        '',
        '> hello',
        '',
        'Transcript: test/fixtures/transcripts/codex/no-reply.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Gemini CLI chat', async () => {
    expect(renderTrace(await readTranscript(fixture('gemini/chat.jsonl')))).toBe(
      [
        'Trace of Gemini CLI session 23edd2e9-4180-4a33-b04f-7ead42f2acef, read from its transcript: 4 model turns, 3 tool calls.',
        '',
        '### Request',
        '',
        '> Start a notes folder with a todo list and a plan.',
        '',
        '### Files changed (1)',
        '',
        '- notes/plan.md (created)',
        '',
        '### Commands (1)',
        '',
        '- `mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes`',
        '',
        '### Todos (1 of 2 done)',
        '',
        '- [x] Create the notes folder',
        '- [ ] Write the plan (in progress)',
        '',
        '### Last message',
        '',
        '> Created notes/todo.txt and notes/plan.md.',
        '',
        'Transcript: test/fixtures/transcripts/gemini/chat.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Gemini CLI failures', async () => {
    expect(renderTrace(await readTranscript(fixture('gemini/failures.jsonl')))).toBe(
      [
        'Trace of Gemini CLI session 2655ab88-9860-493f-b294-b3bf04628ffc, read from its transcript: 8 model turns, 6 tool calls.',
        '',
        '### Request',
        '',
        '> Finalize the notes and the config.',
        '',
        '### Latest request',
        '',
        '> Now write the docs.',
        '',
        '### Files changed (2)',
        '',
        '- notes.txt (edited)',
        '- config.json (edited)',
        '',
        '### Commands (1)',
        '',
        '- `cat missing.txt` — failed (exit 1)',
        '',
        '### Todos (1 of 2 done)',
        '',
        '- [x] Finalize notes',
        '- [ ] Write the docs',
        '',
        '### Last message',
        '',
        '> Notes are final and config.json rewritten; missing.txt does not exist. Next: write the docs.',
        '',
        'Transcript: test/fixtures/transcripts/gemini/failures.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Gemini CLI no-reply', async () => {
    expect(renderTrace(await readTranscript(fixture('gemini/no-reply.jsonl')))).toBe(
      [
        'Trace of Gemini CLI session a27f5d58-2acd-4040-b9aa-fa34da9f3cd9, read from its transcript: no model reply, the session did no work.',
        '',
        '### Request',
        '',
        '> hello',
        '',
        'Transcript: test/fixtures/transcripts/gemini/no-reply.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Copilot CLI events', async () => {
    expect(renderTrace(await readTranscript(fixture('copilot/events.jsonl')))).toBe(
      [
        'Trace of Copilot CLI session af5d68db-a41b-4795-9070-411ac626b63d, read from its transcript: 4 model turns, 3 tool calls.',
        '',
        '### Request',
        '',
        '> Start a notes folder with a todo list and a plan.',
        '',
        '### Files changed (1)',
        '',
        '- notes/plan.md (created)',
        '',
        '### Commands (1)',
        '',
        '- `mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes`',
        '',
        '### Todos (1 of 2 done)',
        '',
        '- [x] Creating the notes folder',
        '- [ ] Writing the plan (in progress)',
        '',
        '### Last message',
        '',
        '> Created notes/todo.txt and notes/plan.md.',
        '',
        'Transcript: test/fixtures/transcripts/copilot/events.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Copilot CLI edits', async () => {
    expect(renderTrace(await readTranscript(fixture('copilot/edits.jsonl')))).toBe(
      [
        'Trace of Copilot CLI session abe6cf6f-d257-4afe-8515-f66cdff86ea2, read from its transcript: 9 model turns, 8 tool calls.',
        '',
        '### Request',
        '',
        '> Create the app and finalize the README.',
        '',
        '### Files changed (2)',
        '',
        '- src/app.ts (created)',
        '- README.md (edited)',
        '',
        '### Commands (1)',
        '',
        '- `cat missing.txt` — failed (exit 1)',
        '',
        '### Todos (2 of 3 done)',
        '',
        '- [x] Create the app',
        '- [x] Update the README',
        '- [ ] Write the tests',
        '',
        '### Last message',
        '',
        '> Created src/app.ts and finalized the README; missing.txt does not exist. Next: write the tests.',
        '',
        'Transcript: test/fixtures/transcripts/copilot/edits.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Copilot CLI patch: a deleted file', async () => {
    expect(renderTrace(await readTranscript(fixture('copilot/patch.jsonl')))).toBe(
      [
        'Trace of Copilot CLI session 4c9554a3-e473-41a1-a980-d5a7aa66f3aa, read from its transcript: 3 model turns, 2 tool calls.',
        '',
        '### Request',
        '',
        '> Tidy the notes folder.',
        '',
        '### Files changed (3)',
        '',
        '- notes/todo.txt (edited)',
        '- notes/old.txt (deleted)',
        '- notes/new.md (created)',
        '',
        '### Commands (1)',
        '',
        '- `ls notes && exit 3` — failed (exit 3)',
        '',
        '### Last message',
        '',
        '> Updated notes/todo.txt, removed notes/old.txt, added notes/new.md.',
        '',
        'Transcript: test/fixtures/transcripts/copilot/patch.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('Copilot CLI no-reply', async () => {
    expect(renderTrace(await readTranscript(fixture('copilot/no-reply.jsonl')))).toBe(
      [
        'Trace of Copilot CLI session 878e9aee-d407-4b25-80ce-c71d3aca29b2, read from its transcript: no model reply, the session did no work.',
        'Last error: Failed to get response from the AI model; retried 5 times (total retry wait time: 15.16 seconds) Last error: 500 scripted failure: the model is unavailable',
        '',
        '### Request',
        '',
        '> hello',
        '',
        'Transcript: test/fixtures/transcripts/copilot/no-reply.jsonl',
        '',
      ].join('\n'),
    );
  });

});
