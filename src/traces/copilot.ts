import { TraceBuilder, type PendingCommand } from './builder.js';
import { CopilotTodos } from './copilot-todos.js';
import { argumentsOf, integerOf, isObject, objectsOf, parseObject, stringOf, type Json } from './json.js';
import { patchChanges, resolvePath } from './patch.js';
import type { ChangeKind, CommandStatus, LineResult, TraceFacts, TranscriptFormat, TranscriptParser } from './types.js';

/**
 * GitHub Copilot CLI's session event log (`~/.copilot/session-state/<session id>/events.jsonl`;
 * its hooks get only the session id, see `copilotEventsPath`), as written by 1.0.102 and described
 * in test/fixtures/transcripts/copilot/README.md: one `{ type, data, id, timestamp, parentId }`
 * event per line, `agentId` on a sub-agent's events. The todo list is rebuilt from the `sql`
 * calls on the `todos` table (see `CopilotTodos`).
 */
export const copilotFormat: TranscriptFormat = {
  agent: 'copilot',
  createParser: () => new CopilotParser(),
  recognizes: (firstLine) => {
    const line = parseObject(firstLine);
    if (line !== undefined) return line.type === 'session.start' && isObject(line.data);
    return /^\{"type":"session\.start","data":\{/.test(firstLine);
  },
};

/**
 * Event namespaces: those of 1.0.102's event schema (`schemas/session-events.schema.json` in its
 * package) and `model.`, which its compactions write. Any event in them is known; most are ignored.
 */
const NAMESPACES = new Set([
  'assistant',
  'auto_mode_switch',
  'capabilities',
  'command',
  'commands',
  'elicitation',
  'exit_plan_mode',
  'external_tool',
  'hook',
  'human_response',
  'mcp',
  'mcp_app',
  'model',
  'pending_messages',
  'permission',
  'sampling',
  'session',
  'session_limits_exhausted',
  'skill',
  'subagent',
  'system',
  'tool',
  'tool_search',
  'ui',
  'user',
  'user_input',
  'workflow',
]);

/** Shell tools, whose `command` argument is the command run. */
const SHELL_TOOLS = new Set(['bash', 'powershell']);

/** The kinds of `fileEdits` on a completed call (`create`, `edit`, `delete`; others read as edits). */
const EDIT_KINDS: Readonly<Record<string, ChangeKind>> = { create: 'created', edit: 'edited', delete: 'deleted' };

/** A tool call, by `toolCallId`. */
interface Call {
  readonly name: string;
  readonly args: unknown;
  readonly command?: PendingCommand;
  done: boolean;
}

class CopilotParser implements TranscriptParser {
  private readonly trace = new TraceBuilder();
  private readonly calls = new Map<string, Call>();
  private readonly todos = new CopilotTodos();
  private cwd: string | undefined;

  line(text: string): LineResult {
    const event = parseObject(text);
    if (event === undefined || typeof event.type !== 'string') return 'malformed';
    const type = event.type;
    if (type !== 'abort' && !(type.includes('.') && NAMESPACES.has(type.slice(0, type.indexOf('.'))))) return 'unknown';
    if (!isObject(event.data)) return 'malformed';
    const data = event.data;
    // A sub-agent's events carry its id; its prompts and replies are not the session's.
    const main = event.agentId === undefined && data.parentToolCallId === undefined;
    switch (type) {
      case 'session.start':
      case 'session.resume': {
        const context = isObject(data.context) ? data.context : {};
        this.trace.session(stringOf(data.sessionId), stringOf(context.cwd));
        this.cwd = stringOf(context.cwd) ?? this.cwd;
        break;
      }
      case 'user.message':
        // Copilot's own rule for a user's turn: no `source` (or `user`), not an autopilot continuation.
        if (main && (data.source === undefined || data.source === null || data.source === 'user') && data.isAutopilotContinuation !== true) {
          this.trace.prompt(stringOf(data.content) ?? '');
        }
        break;
      case 'assistant.message':
        this.assistant(data, main);
        break;
      case 'tool.execution_start':
        this.request(stringOf(data.toolCallId), stringOf(data.toolName) ?? '', data.arguments);
        break;
      case 'tool.execution_complete':
        this.completed(data);
        break;
      case 'session.error':
        this.trace.error(stringOf(data.message) ?? '');
        break;
      case 'session.compaction_complete':
        if (data.success === true) this.trace.markCompacted();
        break;
      default:
        break;
    }
    return 'known';
  }

  gap(): void {
    this.todos.gap();
  }

  finish(): TraceFacts {
    return this.trace.facts();
  }

  private assistant(data: Json, main: boolean): void {
    // Chunks of one model call share its apiCallId: they are one reply.
    const id = stringOf(data.apiCallId) ?? stringOf(data.messageId);
    if (main) {
      this.trace.reply(id);
      if (typeof data.content === 'string') this.trace.replyText(id, data.content);
    }
    for (const request of objectsOf(data.toolRequests)) this.request(stringOf(request.toolCallId), stringOf(request.name) ?? '', request.arguments);
  }

  /** A tool call, from the reply that asked for it or, when that was not read, from its start. */
  private request(id: string | undefined, name: string, args: unknown): void {
    if (id !== undefined && this.calls.has(id)) return;
    this.trace.toolCall();
    // Commands are listed in the order they were asked for, before their results arrive.
    const command = SHELL_TOOLS.has(name) ? stringOf(argumentsOf(args).command) : undefined;
    const handle = command === undefined ? undefined : this.trace.commandStarted(command);
    if (id !== undefined) this.calls.set(id, { name, args, done: false, ...(handle ? { command: handle } : {}) });
  }

  private completed(data: Json): void {
    const id = stringOf(data.toolCallId);
    const call = id === undefined ? undefined : this.calls.get(id);
    if (call?.done) return;
    if (call) call.done = true;
    const success = data.success === true;
    const result = isObject(data.result) ? data.result : {};
    if (call?.command) {
      const outcome = shellOutcome(data, stringOf(result.content) ?? '');
      if (outcome) this.trace.commandEnded(call.command, ...outcome);
    }
    // The files a built-in editing tool committed, absolute, even when a later edit of the call failed.
    const edits = objectsOf(data.fileEdits);
    for (const edit of edits) {
      const path = stringOf(edit.path);
      if (path !== undefined) this.trace.fileChanged(path, EDIT_KINDS[stringOf(edit.kind) ?? ''] ?? 'edited');
    }
    if (!success || call === undefined) return;
    if (edits.length === 0) this.editedByName(call);
    if (call.name === 'sql') {
      const query = stringOf(argumentsOf(call.args).query);
      if (query !== undefined && this.todos.apply(query)) this.trace.setTodos(this.todos.items() ?? []);
    }
  }

  /** A successful edit whose completion lists no `fileEdits` (an older release): the tool's arguments name the file. */
  private editedByName(call: Call): void {
    const args = argumentsOf(call.args);
    const path = stringOf(args.path);
    if (call.name === 'create' && path !== undefined) this.trace.fileChanged(path, 'created');
    else if (call.name === 'edit' && path !== undefined) this.trace.fileChanged(path, 'edited');
    else if (call.name === 'str_replace_editor' && path !== undefined && args.command !== 'view') {
      this.trace.fileChanged(path, args.command === 'create' ? 'created' : 'edited');
    } else if (call.name === 'apply_patch') {
      const patch = typeof call.args === 'string' ? call.args : (stringOf(args.input) ?? stringOf(args.patch) ?? '');
      for (const change of patchChanges(patch) ?? []) this.trace.fileChanged(resolvePath(this.cwd, change.path), change.kind);
    }
  }
}

/** How a shell call ended: `shellExecution.exitCode`, else the `<shellId: N completed with exit code M>` note of its output. */
function shellOutcome(data: Json, content: string): [CommandStatus, number | undefined] | undefined {
  const execution = isObject(data.shellExecution) ? data.shellExecution : {};
  const noted = /completed with exit code (-?\d+)>\s*$/.exec(content)?.[1];
  const stated = integerOf(execution.exitCode) ?? (noted === undefined ? undefined : Number(noted));
  if (stated !== undefined) return stated === 0 ? ['ok', 0] : ['failed', stated];
  // A refused or failed call; an async command still running has no outcome yet.
  return data.success === true ? undefined : ['failed', undefined];
}
