import { describe, it } from 'vitest';

// What the SessionEnd hook leaves behind for a session that wrote no handoff of its own. The
// scripts and the transcripts they produce are the ones in transcript-fixtures.e2e.ts (see
// test/fixtures/transcripts/claude/README.md); these wait for the transcript-built traces.

describe('the SessionEnd trace of a real Claude Code session that wrote no handoff', () => {
  it.todo('a session whose model called Write, Edit and Bash leaves a trace naming the files it changed and the commands it ran, and the next session receives it');
  it.todo('the trace carries the first user request, the last todo list (TodoWrite, or TaskCreate/TaskUpdate when tasks are on) and the last assistant message');
  it.todo('failed tool calls (is_error: true, e.g. an Edit refused before Read) do not count as changed files');
  it.todo('a session that did no work (one plain turn, or not logged in) leaves no trace');
  it.todo('a resumed session (--continue) is not handed its own earlier SessionEnd trace');
});
