import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** What a generated transcript holds at its two ends, to check a trace against. */
export interface LargeAgentTranscript {
  readonly size: number;
  readonly rounds: number;
  readonly sessionId: string;
  readonly request: string;
  readonly lastMessage: string;
  /** The last two files the rounds changed: in the tail whatever the cap. */
  readonly lastFiles: readonly string[];
}

const REQUEST = 'Refactor every module and keep the tests green.';
const CWD = '/home/user/big';
// Source-like text (quotes, backslashes, newlines, non-ASCII), so JSON escapes cost what they cost in real transcripts.
const SOURCE = 'export function greet(name: string): string {\n\treturn `Hello, ${name} — "welcome" \\ café`;\n}\n';
const OUTPUT = SOURCE.repeat(Math.ceil((8 * 1024) / SOURCE.length));

async function writeLines(path: string, minBytes: number, head: unknown[], round: (index: number) => unknown[], tail: (rounds: number) => unknown[]): Promise<{ size: number; rounds: number }> {
  const out = createWriteStream(path);
  let size = 0;
  const write = async (line: unknown) => {
    const text = `${JSON.stringify(line)}\n`;
    size += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const line of head) await write(line);
  let rounds = 0;
  while (size < minBytes) {
    rounds++;
    for (const line of round(rounds)) await write(line);
  }
  for (const line of tail(rounds)) await write(line);
  out.end();
  await once(out, 'close');
  return { size, rounds };
}

/** A Codex 0.169.0 rollout of at least `minBytes`: rounds of exec_command (8 KiB output) and apply_patch adding a file. */
export async function writeLargeCodexRollout(path: string, minBytes: number): Promise<LargeAgentTranscript> {
  const sessionId = 'big-codex-session';
  const at = (type: string, payload: unknown) => ({ timestamp: '2026-11-25T20:26:04.476Z', type, payload });
  const lastMessage = 'Every module refactored; the tests pass.';
  const file = (round: number) => `src/module-${round}.ts`;
  const { size, rounds } = await writeLines(
    path,
    minBytes,
    [
      at('session_meta', { id: sessionId, session_id: sessionId, cwd: CWD, originator: 'codex_exec', cli_version: '0.169.0', source: 'exec' }),
      at('turn_context', { cwd: CWD, model: 'gpt-5.5' }),
      at('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: REQUEST }], internal_chat_message_metadata_passthrough: { content_item_kinds: ['user.text'] } }),
    ],
    (round) => [
      at('response_item', { type: 'function_call', name: 'exec_command', arguments: JSON.stringify({ cmd: `cat ${file(round)}` }), call_id: `call-${round}-a` }),
      at('event_msg', { type: 'item_completed', item: { type: 'CommandExecution', id: `call-${round}-a`, exit_code: 0, status: 'completed', aggregated_output: OUTPUT } }),
      at('response_item', { type: 'function_call_output', call_id: `call-${round}-a`, output: `Process exited with code 0\nOutput:\n${OUTPUT}` }),
      at('response_item', { type: 'custom_tool_call', name: 'apply_patch', input: `*** Begin Patch\n*** Add File: ${file(round).replace('.ts', '.next.ts')}\n+export {};\n*** End Patch\n`, call_id: `call-${round}-b` }),
      at('event_msg', { type: 'item_completed', item: { type: 'FileChange', id: `call-${round}-b`, status: 'completed', changes: { [`${CWD}/${file(round).replace('.ts', '.next.ts')}`]: { type: 'add', content: 'export {};\n' } } } }),
      at('response_item', { type: 'custom_tool_call_output', call_id: `call-${round}-b`, output: 'Exit code: 0\nOutput:\nSuccess. Updated the following files:\n' }),
    ],
    () => [at('response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: lastMessage }] }), at('event_msg', { type: 'task_complete', last_agent_message: lastMessage })],
  );
  return { size, rounds, sessionId, request: REQUEST, lastMessage, lastFiles: [rounds - 1, rounds].map((round) => `${CWD}/${file(round).replace('.ts', '.next.ts')}`) };
}

/** A Gemini CLI 0.61.0 chat log of at least `minBytes`: rounds of a shell call (8 KiB output) and a write_file, each model message written twice. */
export async function writeLargeGeminiLog(path: string, minBytes: number): Promise<LargeAgentTranscript> {
  const sessionId = 'big-gemini-session';
  const lastMessage = 'Every module refactored; the tests pass.';
  const file = (round: number) => `${CWD}/src/module-${round}.next.ts`;
  const response = (id: string, name: string, output: string) => [{ functionResponse: { id, name, response: { output } } }];
  const { size, rounds } = await writeLines(
    path,
    minBytes,
    [
      { sessionId, projectHash: 'h', startTime: 't', lastUpdated: 't', kind: 'main' },
      { $set: { messages: [{ id: 'ctx', type: 'user', content: [{ text: `<session_context>\n- **Workspace Directories:**\n  - ${CWD}\n</session_context>` }] }] } },
      { id: 'prompt', type: 'user', content: [{ text: REQUEST }] },
    ],
    (round) => {
      const shell = { id: `shell-${round}`, name: 'run_shell_command', args: { command: `cat src/module-${round}.ts` }, status: 'success', result: response(`shell-${round}`, 'run_shell_command', `Output: ${OUTPUT}\nProcess Group PGID: 1`) };
      const write = { id: `write-${round}`, name: 'write_file', args: { file_path: file(round), content: 'export {};\n' }, status: 'success', result: response(`write-${round}`, 'write_file', 'ok'), resultDisplay: { isNewFile: true } };
      return [
        { id: `m-${round}-a`, type: 'gemini', content: '', tokens: { input: 1 } },
        { $set: { lastUpdated: 't' } },
        { id: `m-${round}-a`, type: 'gemini', content: '', tokens: { input: 1 }, toolCalls: [shell] },
        { id: `r-${round}-a`, type: 'user', content: shell.result },
        { id: `m-${round}-b`, type: 'gemini', content: '', tokens: { input: 1 }, toolCalls: [write] },
        { id: `r-${round}-b`, type: 'user', content: write.result },
      ];
    },
    () => [{ id: 'final', type: 'gemini', content: lastMessage, tokens: { input: 1 } }],
  );
  return { size, rounds, sessionId, request: REQUEST, lastMessage, lastFiles: [rounds - 1, rounds].map(file) };
}

/** A Copilot CLI 1.0.102 event log of at least `minBytes`: rounds of bash (8 KiB output) and create. */
export async function writeLargeCopilotLog(path: string, minBytes: number): Promise<LargeAgentTranscript> {
  const sessionId = 'big-copilot-session';
  const lastMessage = 'Every module refactored; the tests pass.';
  const file = (round: number) => `${CWD}/src/module-${round}.next.ts`;
  const event = (type: string, data: unknown) => ({ type, data, id: 'e', timestamp: 't', parentId: null });
  const { size, rounds } = await writeLines(
    path,
    minBytes,
    [event('session.start', { sessionId, copilotVersion: '1.0.102', context: { cwd: CWD } }), event('user.message', { content: REQUEST })],
    (round) => [
      event('assistant.message', {
        messageId: `m-${round}`,
        apiCallId: `call-${round}`,
        content: '',
        toolRequests: [
          { toolCallId: `t-${round}-a`, name: 'bash', arguments: { command: `cat src/module-${round}.ts` } },
          { toolCallId: `t-${round}-b`, name: 'create', arguments: { path: file(round), file_text: 'export {};\n' } },
        ],
      }),
      event('tool.execution_start', { toolCallId: `t-${round}-a`, toolName: 'bash', arguments: { command: `cat src/module-${round}.ts` } }),
      event('tool.execution_complete', { toolCallId: `t-${round}-a`, success: true, shellExecution: { exitCode: 0 }, result: { content: `${OUTPUT}\n<shellId: 0 completed with exit code 0>` } }),
      event('tool.execution_complete', { toolCallId: `t-${round}-b`, success: true, fileEdits: [{ path: file(round), kind: 'create' }], result: { content: 'Created' } }),
    ],
    () => [event('assistant.message', { messageId: 'final', apiCallId: 'final', content: lastMessage, toolRequests: [] })],
  );
  return { size, rounds, sessionId, request: REQUEST, lastMessage, lastFiles: [rounds - 1, rounds].map(file) };
}
