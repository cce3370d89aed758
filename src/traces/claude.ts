import { TraceBuilder, type PendingCommand } from './builder.js';
import type { LineResult, TodoItem, TodoStatus, TraceFacts, TranscriptFormat, TranscriptParser } from './types.js';

/**
 * Claude Code's session transcript (`~/.claude/projects/<project>/<session id>.jsonl`), as
 * written by 2.1.197 and described line by line in test/fixtures/transcripts/claude/README.md.
 * Shapes of older releases are accepted where they differ: MultiEdit calls, a reply written as one
 * line with all its blocks, `summary` lines, sub-agent lines in the same file (`isSidechain`).
 */
export const claudeFormat: TranscriptFormat = {
  agent: 'claude',
  createParser: () => new ClaudeParser(),
  recognizes: (firstLine) => {
    let value: unknown;
    try {
      value = JSON.parse(firstLine);
    } catch {
      // A first line too long to be read whole: its first key.
      return /^\{"(type":"(user|assistant|system|summary|last-prompt|queue-operation|file-history-snapshot|attachment|mode|progress|custom-title|ai-title|agent-name|tag|pr-link)"|parentUuid":)/.test(firstLine);
    }
    return isObject(value) && typeof value.type === 'string' && CLAUDE_TYPES.has(value.type);
  },
};

type Json = Record<string, unknown>;

/** A tool call waiting for its result, by the call's id. */
interface PendingCall {
  readonly name: string;
  readonly input: Json;
  readonly command?: PendingCommand;
}

/** A task of the TaskCreate/TaskUpdate tools, rebuilt from the calls. */
interface Task {
  subject: string;
  status: TodoStatus;
}

/** Line types that carry nothing a trace needs. */
const IGNORED_TYPES = new Set([
  'attachment',
  'queue-operation',
  'mode',
  'file-history-snapshot',
  'progress',
  'custom-title',
  'ai-title',
  'agent-name',
  'tag',
  'pr-link',
]);

/** Every line type a Claude Code transcript holds, for telling its first line from other agents'. */
const CLAUDE_TYPES = new Set(['user', 'assistant', 'system', 'summary', 'last-prompt', ...IGNORED_TYPES]);

/** Tools that change a file, by name, with the input field naming it. */
const FILE_TOOLS: Readonly<Record<string, string>> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

/** Text of user lines that the client wrote, not the user: local commands and their output. */
const LOCAL_MARKUP = /^\s*<(command-name|command-message|command-args|local-command-[a-z-]+|bash-input|bash-stdout|bash-stderr|user-memory-input|system-reminder)>/;

/** A queued prompt that is a slash command (`/compact`), not a request. */
const SLASH_COMMAND = /^\/[\w:.-]+(\s|$)/;

class ClaudeParser implements TranscriptParser {
  private readonly trace = new TraceBuilder();
  private readonly calls = new Map<string, PendingCall>();
  private readonly tasks = new Map<string, Task>();
  /** Files the session read, to tell a Write that replaced a file from one that created it. */
  private readonly readPaths = new Set<string>();

  line(text: string): LineResult {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return 'malformed';
    }
    if (!isObject(value) || typeof value.type !== 'string') return 'malformed';
    const line = value;
    const type = value.type;
    switch (type) {
      case 'user':
        return this.user(line);
      case 'assistant':
        return this.assistant(line);
      case 'system':
        if (line.subtype === 'compact_boundary') this.trace.markCompacted();
        return 'known';
      case 'summary':
        // Written by releases before 2.1 at compaction; still read by 2.1.197.
        this.trace.markCompacted();
        return 'known';
      case 'last-prompt':
        if (typeof line.lastPrompt === 'string') this.trace.hintPrompt(line.lastPrompt, 'last');
        return 'known';
      default:
        if (line.type === 'queue-operation' && line.operation === 'enqueue' && typeof line.content === 'string') {
          if (!SLASH_COMMAND.test(line.content.trim())) this.trace.hintPrompt(line.content, 'first');
        }
        return IGNORED_TYPES.has(type) ? 'known' : 'unknown';
    }
  }

  gap(): void {
    // Calls made before the gap whose results fell in it will never be answered; a result after
    // the gap with no call is read from its structured result alone (see orphanResult).
  }

  finish(): TraceFacts {
    return this.trace.facts();
  }

  private user(line: Json): LineResult {
    const message = line.message;
    if (!isObject(message)) return 'malformed';
    this.envelope(line);
    const content = message.content;
    if (Array.isArray(content)) {
      const results = content.filter((block): block is Json => isObject(block) && block.type === 'tool_result');
      if (results.length > 0) {
        // The structured result belongs to the line's one tool result; with several it is ambiguous.
        const structured = results.length === 1 ? line.toolUseResult : undefined;
        for (const block of results) this.result(block, structured);
        return 'known';
      }
    }
    if (line.isCompactSummary === true) {
      this.trace.markCompacted();
      return 'known';
    }
    if (line.isSidechain === true || line.isMeta === true || line.isVisibleInTranscriptOnly === true) return 'known';
    if (typeof content !== 'string' && !Array.isArray(content)) return 'malformed';
    const text = promptText(content);
    if (text !== undefined) this.trace.prompt(text);
    return 'known';
  }

  private assistant(line: Json): LineResult {
    const message = line.message;
    if (!isObject(message)) return 'malformed';
    this.envelope(line);
    const id = typeof message.id === 'string' ? message.id : undefined;
    const blocks = Array.isArray(message.content) ? message.content.filter(isObject) : [];
    if (message.model === '<synthetic>') {
      // Written by the client, not a model: an API error or a session that never reached one.
      const text = blocks.map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : '')).join('\n');
      if (line.isApiErrorMessage === true || line.error !== undefined) this.trace.error(text);
      return 'known';
    }
    const main = line.isSidechain !== true;
    if (main) this.trace.reply(id);
    for (const block of blocks) {
      if (block.type === 'text' && typeof block.text === 'string') {
        if (main) this.trace.replyText(id, block.text);
      } else if (block.type === 'tool_use') {
        this.call(block);
      }
    }
    return 'known';
  }

  private envelope(line: Json): void {
    this.trace.session(stringOf(line.sessionId), stringOf(line.cwd));
  }

  private call(block: Json): void {
    this.trace.toolCall();
    const name = stringOf(block.name) ?? '';
    const input = isObject(block.input) ? block.input : {};
    const id = stringOf(block.id);
    if (name === 'Read' && typeof input.file_path === 'string') this.readPaths.add(input.file_path);
    // Commands are listed in the order they were called, before their results arrive.
    const command = name === 'Bash' && typeof input.command === 'string' ? this.trace.commandStarted(input.command) : undefined;
    if (id !== undefined) this.calls.set(id, { name, input, ...(command ? { command } : {}) });
  }

  private result(block: Json, structured: unknown): void {
    const id = stringOf(block.tool_use_id);
    const call = id === undefined ? undefined : this.calls.get(id);
    if (id !== undefined) this.calls.delete(id);
    const failed = block.is_error === true;
    if (call === undefined) {
      if (!failed) this.orphanResult(structured);
      return;
    }
    if (call.command) {
      this.trace.commandEnded(call.command, ...commandOutcome(failed, block, structured));
      return;
    }
    // A failed call changed nothing: a refused Edit, a tool that does not exist (MultiEdit in 2.1.197).
    if (failed) return;
    const result = isObject(structured) ? structured : {};
    const field = FILE_TOOLS[call.name];
    if (field !== undefined) {
      const path = stringOf(call.input[field]) ?? stringOf(result.filePath) ?? stringOf(result.notebook_path);
      if (path !== undefined) this.trace.fileChanged(path, call.name === 'Write' ? this.writeKind(path, result) : 'edited');
    } else if (call.name === 'TodoWrite') {
      const todos = todoList(result.newTodos) ?? todoList(call.input.todos);
      if (todos) this.trace.setTodos(todos);
    } else if (call.name === 'TaskCreate') {
      this.taskCreated(call.input, result, block);
    } else if (call.name === 'TaskUpdate') {
      this.taskUpdated(call.input, result);
    }
  }

  /**
   * A successful result whose call was not read (it lay in the part the byte cap skipped): the
   * structured result alone still names a written or edited file, or a new todo list.
   */
  private orphanResult(structured: unknown): void {
    if (!isObject(structured)) return;
    const path = stringOf(structured.filePath);
    if (path !== undefined && (structured.type === 'create' || structured.type === 'update')) {
      this.trace.fileChanged(path, structured.type === 'create' ? 'created' : 'edited');
    } else if (path !== undefined && ('oldString' in structured || 'edits' in structured) && 'structuredPatch' in structured) {
      this.trace.fileChanged(path, 'edited');
    } else {
      const todos = todoList(structured.newTodos);
      if (todos) this.trace.setTodos(todos);
    }
  }

  /** Write reports whether it created the file; older results may not say, so fall back on what the session did before. */
  private writeKind(path: string, result: Json): 'created' | 'edited' {
    if (result.type === 'create') return 'created';
    if (result.type === 'update') return 'edited';
    if ('originalFile' in result) return result.originalFile === null ? 'created' : 'edited';
    return this.readPaths.has(path) ? 'edited' : 'created';
  }

  private taskCreated(input: Json, result: Json, block: Json): void {
    const task = isObject(result.task) ? result.task : {};
    const id = stringOf(task.id) ?? /Task #(\S+) created/.exec(textOf(block.content) ?? '')?.[1];
    const subject = stringOf(input.subject) ?? stringOf(task.subject);
    if (id === undefined || subject === undefined) return;
    this.tasks.set(id, { subject, status: 'pending' });
    this.publishTasks();
  }

  private taskUpdated(input: Json, result: Json): void {
    const id = stringOf(input.taskId) ?? stringOf(result.taskId);
    if (id === undefined) return;
    const change = isObject(result.statusChange) ? result.statusChange : {};
    const status = stringOf(input.status) ?? stringOf(change.to);
    if (status === 'deleted') {
      this.tasks.delete(id);
    } else {
      // A task created in the part the cap skipped is still listed, by its number.
      const task = this.tasks.get(id) ?? { subject: `Task #${id}`, status: 'pending' };
      const subject = stringOf(input.subject);
      if (subject !== undefined) task.subject = subject;
      if (status !== undefined) task.status = todoStatus(status);
      this.tasks.set(id, task);
    }
    this.publishTasks();
  }

  private publishTasks(): void {
    this.trace.setTodos([...this.tasks.values()].map(({ subject, status }) => ({ content: subject, status })));
  }
}

/** How a shell call ended: Claude Code marks a non-zero exit as an error result `Exit code N\n…`. */
function commandOutcome(failed: boolean, block: Json, structured: unknown): [status: 'ok' | 'failed', exitCode: number | undefined] {
  if (!failed) {
    const interrupted = isObject(structured) && structured.interrupted === true;
    return interrupted ? ['failed', undefined] : ['ok', 0];
  }
  const text = textOf(block.content) ?? (typeof structured === 'string' ? structured : '');
  const code = /^(?:Error: )?Exit code (\d+)/.exec(text.trim())?.[1];
  return ['failed', code === undefined ? undefined : Number(code)];
}

function todoList(value: unknown): TodoItem[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: TodoItem[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const content = stringOf(item.content) ?? stringOf(item.subject);
    if (content !== undefined) items.push({ content, status: todoStatus(stringOf(item.status)) });
  }
  return items;
}

function todoStatus(value: string | undefined): TodoStatus {
  return value === 'in_progress' || value === 'completed' ? value : 'pending';
}

/**
 * What the user typed, from a prompt line's content: the text blocks that the client did not write
 * itself (local commands and their output, reminders it adds, interruption notes), joined.
 */
function promptText(content: string | unknown[]): string | undefined {
  const texts = (typeof content === 'string' ? [content] : content.map((block) => (isObject(block) && block.type === 'text' ? block.text : undefined)))
    .filter((text): text is string => typeof text === 'string')
    .filter((text) => !LOCAL_MARKUP.test(text) && !text.startsWith('Caveat: ') && !text.startsWith('[Request interrupted by user'));
  return texts.length === 0 ? undefined : texts.join('\n');
}

/** The text of a message's content: the string itself, or its text blocks joined. */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter((block): block is Json => isObject(block) && block.type === 'text' && typeof block.text === 'string');
  return texts.length === 0 ? undefined : texts.map((block) => block.text as string).join('\n');
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
