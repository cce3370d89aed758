import { TraceBuilder, type PendingCommand } from './builder.js';
import { argumentsOf, integerOf, isObject, objectsOf, parseObject, stringOf, type Json } from './json.js';
import { patchChanges, resolvePath, shellPatch, type PatchChange } from './patch.js';
import type { CommandStatus, LineResult, TodoItem, TraceFacts, TranscriptFormat, TranscriptParser } from './types.js';

/**
 * Codex CLI's rollout (`~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<session id>.jsonl`, the
 * `transcript_path` its hooks get), as written by 0.169.0 and described in
 * test/fixtures/transcripts/codex/README.md: `{ timestamp, type, payload }` lines, the model's
 * items as `response_item`, Codex's own events as `event_msg`. Shapes of older releases are read
 * where they differ: the `shell` tool with a command array, JSON tool outputs with
 * `metadata.exit_code`, `exec_command_end` and `patch_apply_end` events, the `update_plan` tool.
 */
export const codexFormat: TranscriptFormat = {
  agent: 'codex',
  createParser: () => new CodexParser(),
  recognizes: (firstLine) => {
    const line = parseObject(firstLine);
    if (line !== undefined) return line.type === 'session_meta' && isObject(line.payload);
    return /^\{"timestamp":"[^"]*",(?:"ordinal":\d+,)?"type":"session_meta"[,}]/.test(firstLine);
  },
};

/** Line types, all known; `compacted`, `session_meta`, `turn_context`, `response_item` and `event_msg` are read. */
const LINE_TYPES = new Set([
  'session_meta',
  'response_item',
  'event_msg',
  'turn_context',
  'world_state',
  'token_usage_record',
  'compacted',
  'dynamic_tools_updated',
  'inter_agent_communication',
  'inter_agent_communication_metadata',
  'realtime_item',
]);

/** `response_item` types the model outputs (an assistant `message` is one too): items of one reply. */
const MODEL_ITEMS = new Set(['reasoning', 'function_call', 'custom_tool_call', 'local_shell_call', 'web_search_call', 'image_generation_call', 'tool_search_call']);

/** `response_item` types that are not the model's: they end a reply. */
const OTHER_ITEMS = new Set([
  'function_call_output',
  'custom_tool_call_output',
  'tool_search_output',
  'agent_message',
  'configuration_update',
  'compaction',
  'compaction_trigger',
  'context_compaction',
  'ghost_snapshot',
  'other',
]);

/**
 * User-role text Codex writes itself, for rollouts whose items carry no `content_item_kinds`:
 * the environment, AGENTS.md and other instructions, a shell command the user ran, an abort note.
 */
const HARNESS_TEXT = /^\s*(<environment_context>|<user_instructions>|<INSTRUCTIONS>|# AGENTS\.md instructions for |<user_shell_command>|<turn_aborted>|<subagent_notification>|<skill>)/;

/** A tool call waiting for its output, by `call_id`. */
interface Call {
  readonly name: string;
  readonly command?: PendingCommand;
  /** The files its patch names (apply_patch, or a shell command that runs apply_patch). */
  readonly patch?: PatchChange[];
  /** The working directory its relative patch paths are against. */
  readonly cwd: string | undefined;
  readonly plan?: TodoItem[];
  /** How the command exited, from Codex's own event (before the output arrives). */
  exit?: [CommandStatus, number | undefined];
  /** What Codex's FileChange (or patch_apply_end) event said. */
  applied?: { readonly ok: boolean; readonly changes: PatchChange[] };
}

/** An assistant message held back one line: Codex writes a compaction's summary as one, just before the `compacted` line. */
interface Held {
  readonly id: string;
  readonly opened: boolean;
  readonly texts: string[];
}

class CodexParser implements TranscriptParser {
  private readonly trace = new TraceBuilder();
  private readonly calls = new Map<string, Call>();
  /** Files of patch_apply_begin events, by call id, until their patch_apply_end. */
  private readonly patchesBegun = new Map<string, PatchChange[]>();
  /** The latest working directory (turn_context), for relative patch paths. */
  private cwd: string | undefined;
  private replies = 0;
  /** Model items since the last item that was not the model's belong to one reply (one response). */
  private inReply = false;
  private held: Held | undefined;

  line(text: string): LineResult {
    const line = parseObject(text);
    if (line === undefined || typeof line.type !== 'string') return 'malformed';
    if (!LINE_TYPES.has(line.type)) return 'unknown';
    const payload = line.payload;
    if (!isObject(payload)) return 'malformed';
    if (line.type === 'compacted') {
      this.compacted(payload);
      return 'known';
    }
    // Token counts come between a compaction's summary and its `compacted` line.
    if (line.type !== 'token_usage_record' && !(line.type === 'event_msg' && payload.type === 'token_count')) this.release();
    switch (line.type) {
      case 'session_meta':
        this.trace.session(stringOf(payload.id) ?? stringOf(payload.session_id), stringOf(payload.cwd));
        this.cwd ??= stringOf(payload.cwd);
        return 'known';
      case 'turn_context':
        this.cwd = stringOf(payload.cwd) ?? this.cwd;
        return 'known';
      case 'response_item':
        return this.item(payload);
      case 'event_msg':
        return typeof payload.type === 'string' ? this.event(payload) : 'malformed';
      default:
        return 'known';
    }
  }

  gap(): void {
    // Outputs after the gap may answer calls before it; replies do not span it.
    this.release();
    this.inReply = false;
  }

  finish(): TraceFacts {
    this.release();
    return this.trace.facts();
  }

  private item(payload: Json): LineResult {
    const type = payload.type;
    if (type === 'message') return this.message(payload);
    if (typeof type !== 'string') return 'malformed';
    if (MODEL_ITEMS.has(type)) {
      const { id, opened } = this.open();
      if (opened) this.trace.reply(id);
      if (type === 'function_call') this.functionCall(payload);
      else if (type === 'custom_tool_call') this.customCall(payload);
      else if (type === 'local_shell_call') this.localShellCall(payload);
      return 'known';
    }
    if (!OTHER_ITEMS.has(type)) return 'unknown';
    this.inReply = false;
    if (type === 'function_call_output' || type === 'custom_tool_call_output') this.output(stringOf(payload.call_id), payload.output);
    else if (type === 'compaction' || type === 'context_compaction') this.trace.markCompacted();
    return 'known';
  }

  private message(payload: Json): LineResult {
    const role = payload.role;
    if (typeof role !== 'string') return 'malformed';
    if (role === 'assistant') {
      const { id, opened } = this.open();
      const texts = objectsOf(payload.content).flatMap((part) => (part.type === 'output_text' && typeof part.text === 'string' ? [part.text] : []));
      this.held = { id, opened, texts };
      return 'known';
    }
    this.inReply = false;
    if (role === 'user') {
      const text = promptText(payload);
      if (text !== undefined) this.trace.prompt(text);
    }
    // Developer and system messages are Codex's instructions and hook context.
    return 'known';
  }

  /** The reply a model item belongs to: the current one, or a new one. */
  private open(): { id: string; opened: boolean } {
    const opened = !this.inReply;
    if (opened) this.replies++;
    this.inReply = true;
    return { id: `reply-${this.replies}`, opened };
  }

  private release(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    if (held.opened) this.trace.reply(held.id);
    for (const text of held.texts) this.trace.replyText(held.id, text);
  }

  /** A compaction: the message held just before it, when it is the summary, was no reply of the session's. */
  private compacted(payload: Json): void {
    this.trace.markCompacted();
    const held = this.held;
    const summary = held?.texts.join('\n').trim() ?? '';
    const carriers = [stringOf(payload.message), ...objectsOf(payload.replacement_history).flatMap((item) => objectsOf(item.content).map((part) => stringOf(part.text)))];
    if (held !== undefined && summary !== '' && carriers.some((text) => text !== undefined && text.trimEnd().endsWith(summary))) {
      this.held = undefined;
      if (held.opened) this.replies--;
    } else {
      this.release();
    }
    this.inReply = false;
  }

  private functionCall(payload: Json): void {
    this.trace.toolCall();
    const name = stringOf(payload.name) ?? '';
    const args = argumentsOf(payload.arguments);
    let command: string | undefined;
    if (name === 'exec_command') command = stringOf(args.cmd);
    else if (name === 'shell_command') command = stringOf(args.command);
    else if (name === 'shell' || name === 'container.exec') command = commandLine(args.command);
    const patch = name === 'apply_patch' ? patchChanges(stringOf(args.input) ?? stringOf(args.patch) ?? '') : command === undefined ? undefined : shellPatch(command);
    const plan = name === 'update_plan' ? planItems(args.plan) : undefined;
    this.register(stringOf(payload.call_id), name, command, patch, plan, stringOf(args.workdir));
  }

  private customCall(payload: Json): void {
    this.trace.toolCall();
    const name = stringOf(payload.name) ?? '';
    const patch = name === 'apply_patch' ? patchChanges(stringOf(payload.input) ?? '') : undefined;
    this.register(stringOf(payload.call_id), name, undefined, patch, undefined);
  }

  private localShellCall(payload: Json): void {
    this.trace.toolCall();
    const action = isObject(payload.action) ? payload.action : {};
    const command = commandLine(action.command);
    this.register(stringOf(payload.call_id) ?? stringOf(payload.id), 'local_shell', command, command === undefined ? undefined : shellPatch(command), undefined);
  }

  private register(id: string | undefined, name: string, command: string | undefined, patch: PatchChange[] | undefined, plan: TodoItem[] | undefined, workdir?: string): void {
    // Commands are listed in the order they were called, before their outputs arrive.
    const handle = command === undefined ? undefined : this.trace.commandStarted(command);
    if (id === undefined) return;
    // A shell call may run elsewhere (`workdir`): a patch it applies is relative to that folder.
    const cwd = workdir === undefined ? this.cwd : resolvePath(this.cwd, workdir);
    this.calls.set(id, { name, cwd, ...(handle ? { command: handle } : {}), ...(patch ? { patch } : {}), ...(plan ? { plan } : {}) });
  }

  private output(id: string | undefined, output: unknown): void {
    const call = id === undefined ? undefined : this.calls.get(id);
    if (call === undefined) return; // Its call lay in the part the byte cap skipped.
    this.calls.delete(id!);
    const text = outputText(output);
    const outcome = call.exit ?? shellOutcome(text);
    if (call.command && outcome) this.trace.commandEnded(call.command, ...outcome);
    if (call.patch !== undefined || call.applied !== undefined) {
      // An apply_patch call reports its own success; a shell command running it, by its exit.
      const ok = call.applied?.ok ?? (call.command ? outcome?.[0] === 'ok' : patchSucceeded(text));
      if (ok) this.filesChanged(call.patch?.length ? call.patch.map((change) => ({ ...change, path: resolvePath(call.cwd, change.path) })) : (call.applied?.changes ?? []));
    }
    if (call.plan !== undefined && !/^(failed|error)/i.test(text.trim())) this.trace.setTodos(call.plan);
  }

  private event(payload: Json): LineResult {
    switch (payload.type) {
      case 'item_completed': {
        const item = isObject(payload.item) ? payload.item : {};
        if (item.type === 'CommandExecution') this.exited(stringOf(item.id), item.exit_code, stringOf(item.status));
        else if (item.type === 'FileChange') this.applied(stringOf(item.id), item.status === 'completed', fileChanges(item.changes));
        else if (item.type === 'ContextCompaction') this.trace.markCompacted();
        break;
      }
      case 'exec_command_end':
        this.exited(stringOf(payload.call_id), payload.exit_code, undefined);
        break;
      case 'patch_apply_begin':
        // Releases that name the files only here: kept for the matching end.
        if (stringOf(payload.call_id) !== undefined) this.patchesBegun.set(payload.call_id as string, fileChanges(payload.changes));
        break;
      case 'patch_apply_end': {
        const id = stringOf(payload.call_id);
        const named = fileChanges(payload.changes);
        const begun = id === undefined ? undefined : this.patchesBegun.get(id);
        if (id !== undefined) this.patchesBegun.delete(id);
        this.applied(id, payload.success === true, named.length > 0 ? named : (begun ?? []));
        break;
      }
      case 'context_compacted':
        this.trace.markCompacted();
        break;
      case 'plan_update': {
        const plan = planItems(payload.plan);
        if (plan) this.trace.setTodos(plan);
        break;
      }
      case 'error':
        this.trace.error(stringOf(payload.message) ?? '');
        break;
      case 'task_complete':
        // A turn that ended on an error: the model unreachable, refused, or out of quota.
        if (isObject(payload.error)) this.trace.error(stringOf(payload.error.message) ?? '');
        break;
      default:
        break;
    }
    return 'known';
  }

  private exited(id: string | undefined, exitCode: unknown, status: string | undefined): void {
    const call = id === undefined ? undefined : this.calls.get(id);
    if (call === undefined) return;
    const code = integerOf(exitCode);
    if (code !== undefined) call.exit = code === 0 ? ['ok', 0] : ['failed', code];
    else if (status === 'failed' || status === 'declined') call.exit = ['failed', undefined];
  }

  private applied(id: string | undefined, ok: boolean, changes: PatchChange[]): void {
    const call = id === undefined ? undefined : this.calls.get(id);
    if (call !== undefined) call.applied = { ok, changes };
    // A patch whose call the byte cap skipped: Codex's event alone names the files, absolute.
    else if (ok) this.filesChanged(changes);
  }

  private filesChanged(changes: readonly PatchChange[]): void {
    for (const change of changes) this.trace.fileChanged(change.path, change.kind);
  }
}

/**
 * The user's own text in a user message: the parts Codex marks `user.text`, or, in rollouts of
 * releases that do not mark parts, every text part that is not one Codex wrote itself.
 */
function promptText(payload: Json): string | undefined {
  const parts = objectsOf(payload.content);
  const metadata = isObject(payload.internal_chat_message_metadata_passthrough) ? payload.internal_chat_message_metadata_passthrough : {};
  const kinds = Array.isArray(metadata.content_item_kinds) && metadata.content_item_kinds.length === parts.length ? metadata.content_item_kinds : undefined;
  const texts = parts
    .map((part, index) => (part.type === 'input_text' && typeof part.text === 'string' ? { text: part.text, kind: kinds?.[index] } : undefined))
    .filter((part): part is { text: string; kind: unknown } => part !== undefined)
    .filter((part) => (kinds === undefined ? !HARNESS_TEXT.test(part.text) : part.kind === 'user.text'))
    .map((part) => part.text);
  return texts.length === 0 ? undefined : texts.join('\n');
}

/** A command given as an argument array: the script of `bash -lc <script>`, else the words joined. */
function commandLine(value: unknown): string | undefined {
  if (typeof value === 'string') return stringOf(value);
  if (!Array.isArray(value) || !value.every((word) => typeof word === 'string') || value.length === 0) return undefined;
  const words = value as string[];
  if (words.length === 3 && /(^|\/)(ba|z|da)?sh$/.test(words[0]!) && (words[1] === '-lc' || words[1] === '-c')) return words[2];
  return words.join(' ');
}

/** A tool output's text: a string, `{ content }`, or content items. */
function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (isObject(output)) return typeof output.content === 'string' ? output.content : outputText(output.content);
  if (Array.isArray(output)) return objectsOf(output).flatMap((item) => (typeof item.text === 'string' ? [item.text] : [])).join('\n');
  return '';
}

/** How a shell call exited, from its output text, or `undefined` when it does not say (still running). */
function shellOutcome(text: string): [CommandStatus, number | undefined] | undefined {
  const stated = /Process exited with code (-?\d+)/.exec(text) ?? /^Exit code: (-?\d+)/m.exec(text);
  let code = stated ? Number(stated[1]) : undefined;
  if (code === undefined) {
    // Releases before unified exec: `{"output": "...", "metadata": {"exit_code": 0}}`.
    const json = parseObject(text);
    code = json !== undefined && isObject(json.metadata) ? integerOf(json.metadata.exit_code) : undefined;
  }
  if (code !== undefined) return code === 0 ? ['ok', 0] : ['failed', code];
  if (/^(aborted|exec command rejected|execution error|command timed out)/i.test(text.trim())) return ['failed', undefined];
  return undefined;
}

/** Whether an apply_patch output says the patch applied: `Exit code: 0` or Codex's success text. */
function patchSucceeded(text: string): boolean {
  const code = /^Exit code: (-?\d+)/m.exec(text)?.[1];
  if (code !== undefined) return code === '0';
  const json = parseObject(text);
  if (json !== undefined && isObject(json.metadata)) return integerOf(json.metadata.exit_code) === 0;
  return /^Success\. Updated the following files/m.test(text);
}

/** The changes of a FileChange event (`{ path: { type, move_path } }`) or a patch_apply_end event (`{ path: { add | update | delete } }`). */
function fileChanges(value: unknown): PatchChange[] {
  if (!isObject(value)) return [];
  const changes: PatchChange[] = [];
  for (const [path, change] of Object.entries(value)) {
    if (!isObject(change)) continue;
    const type = stringOf(change.type) ?? ['add', 'update', 'delete'].find((key) => key in change);
    const update = isObject(change.update) ? change.update : change;
    const moved = stringOf(update.move_path);
    if (type === 'add') changes.push({ path, kind: 'created' });
    else if (type === 'delete') changes.push({ path, kind: 'deleted' });
    else if (type === 'update' && moved !== undefined) changes.push({ path, kind: 'deleted' }, { path: moved, kind: 'created' });
    else if (type === 'update') changes.push({ path, kind: 'edited' });
  }
  return changes;
}

/** update_plan's `plan: [{ step, status }]`. */
function planItems(value: unknown): TodoItem[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return objectsOf(value).flatMap((item) => {
    const content = stringOf(item.step) ?? stringOf(item.content);
    if (content === undefined) return [];
    const status = item.status === 'in_progress' || item.status === 'completed' ? item.status : 'pending';
    return [{ content, status }];
  });
}
