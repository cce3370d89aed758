import type { AgentName } from '../agents/types.js';
import { TraceError } from './errors.js';
import type { ChangedFile, CommandRun, SessionTrace, TodoItem } from './types.js';

/** Options of {@link renderTrace}. */
export interface RenderTraceOptions {
  /** Most lines of the result. Default {@link TRACE_BUDGET}`.maxLines` (40); `Infinity` for no limit. */
  readonly maxLines?: number;
  /** Most characters (UTF-16 code units) of the result. Default {@link TRACE_BUDGET}`.maxChars` (4000); `Infinity` for no limit. */
  readonly maxChars?: number;
  /** The first line. Default: the agent, the session id and the counts (see {@link renderTrace}). */
  readonly title?: string;
}

/**
 * The default size of a rendered trace: small next to the 200-line budget of a session start, so
 * a trace never crowds out handoffs that sessions wrote themselves.
 */
export const TRACE_BUDGET = { maxLines: 40, maxChars: 4000 } as const;

/** Sections, in the order they are shown. */
type SectionName = 'request' | 'latestRequest' | 'files' | 'commands' | 'todos' | 'lastMessage';
const SHOWN: readonly SectionName[] = ['request', 'latestRequest', 'files', 'commands', 'todos', 'lastMessage'];
/** The order sections are cut in when the budget is exceeded: first the one a reader misses least. */
const CUT_ORDER: readonly SectionName[] = ['commands', 'todos', 'files', 'latestRequest', 'lastMessage', 'request'];

const AGENT_TITLES: Readonly<Record<AgentName, string>> = {
  claude: 'Claude Code',
  codex: 'Codex',
  gemini: 'Gemini CLI',
  copilot: 'Copilot CLI',
  opencode: 'OpenCode',
};

/** Longest single list item (a command's first line, a path, a todo), in characters. */
const ITEM_CHARS = 160;

/**
 * Renders a trace as Markdown for a handoff body, within a line and character budget. Output is
 * deterministic: the same trace and options give the same text.
 *
 * Layout: a title line (`Trace of Claude Code session <id>, read from its transcript: 6 model
 * turns, 5 tool calls.`), a line on what degraded and one on the last error when there are any,
 * then the sections `### Request`, `### Latest request` (a resumed session's last prompt),
 * `### Files changed`, `### Commands`, `### Todos`, `### Last message` (each only when it has
 * something), and last `Transcript: <path>`. Requests and messages are quoted (`> `) so their own
 * headings cannot break the handoff's structure; paths inside the session's working directory are
 * shown relative to it.
 *
 * Under a budget, a text starts clipped to its share of it (the request and the latest request a
 * quarter of the lines and characters each, the last message half), so a pasted log cannot crowd
 * out the rest. Past the budget, sections are then cut in a fixed order, each as little as will fit
 * before the next is touched: commands (the latest kept), todos (unfinished kept first), files
 * changed (first changes kept), the latest request, the last message, the request (texts are
 * clipped before they are left out). A note before the transcript line says what was cut. Only a
 * budget too small for the title, notes and transcript line is met by cutting the text itself.
 *
 * Throws `TraceError` (`INVALID_OPTION`) for a budget that is not a number of at least 1.
 */
export function renderTrace(trace: SessionTrace, options: RenderTraceOptions = {}): string {
  const maxLines = budget(options.maxLines, TRACE_BUDGET.maxLines, 'maxLines');
  const maxChars = budget(options.maxChars, TRACE_BUDGET.maxChars, 'maxChars');
  const sections = buildSections(trace);
  const full = new Map(SHOWN.map((name) => [name, sections[name].size] as const));
  // A long text starts clipped to its share of the budget, so a pasted log in the request cannot
  // push the files and todos out before it is cut itself.
  const forms = new Map(SHOWN.map((name) => [name, sections[name].initial(maxLines, maxChars)] as const));
  const header = headerLines(trace, options.title);
  const footer = `Transcript: ${trace.path === '' ? '(unknown)' : trace.path}`;
  const compose = (): string => {
    const note = cutNote(sections, forms, full, maxLines, maxChars);
    const body = SHOWN.map((name) => sections[name].render(forms.get(name)!)).filter((text) => text !== '');
    return [...header, '', ...body.flatMap((text) => [text, '']), ...(note ? [note] : []), footer].join('\n') + '\n';
  };
  const fits = (text: string): boolean => text.length <= maxChars && countLines(text) <= maxLines;

  let text = compose();
  if (fits(text)) return text;
  for (const name of CUT_ORDER) {
    // A form of more items or characters than the budget has characters cannot fit.
    const largest = Math.min(forms.get(name)! - 1, maxChars);
    const best = largestFitting(largest, (form) => {
      forms.set(name, form);
      return fits(compose());
    });
    forms.set(name, best);
    text = compose();
    if (best > 0 || fits(text)) break;
  }
  return fits(text) ? text : hardCut(text, footer, maxLines, maxChars);
}

/** One section: its size at full length, and how to render it at a smaller size (0: left out). */
interface Section {
  /** Items (lists) or characters (texts) at full length. */
  readonly size: number;
  /** The form to start from under a budget: full for lists, a share of the budget for texts. */
  initial(maxLines: number, maxChars: number): number;
  render(form: number): string;
  /** Says how it was cut at this form, for the note. */
  describeCut(form: number): string;
}

function buildSections(trace: SessionTrace): Record<SectionName, Section> {
  return {
    // Shares of the budget: the last message, where a session sums up and says what is next, gets most.
    request: textSection('Request', trace.request, 1 / 4),
    latestRequest: textSection('Latest request', trace.lastRequest, 1 / 4),
    lastMessage: textSection('Last message', trace.lastMessage, 1 / 2),
    files: filesSection(trace.filesChanged, trace.cwd),
    commands: commandsSection(trace.commands, trace.counts.commands),
    todos: todosSection(trace.todos ?? []),
  };
}

function textSection(heading: string, text: string | undefined, share: number): Section {
  const value = text ?? '';
  return {
    size: value.length,
    initial: (maxLines, maxChars) => {
      const chars = Math.min(value.length, Math.floor(maxChars * share));
      // Its lines too: up to the end of the last whole line within its share of lines.
      const lines = Math.max(1, Math.floor(maxLines * share));
      let end = -1;
      for (let line = 0; line < lines; line++) {
        end = value.indexOf('\n', end + 1);
        if (end === -1 || end >= chars) return chars;
      }
      return end;
    },
    render: (chars) => {
      if (chars === 0) return '';
      const shown = chars >= value.length ? value : `${value.slice(0, chars).trimEnd()} …`;
      return `### ${heading}\n\n${quote(shown)}`;
    },
    describeCut: (chars) => `${heading.toLowerCase()} ${chars === 0 ? 'left out' : `clipped to ${chars} of ${value.length} characters`}`,
  };
}

function filesSection(files: readonly ChangedFile[], cwd: string | undefined): Section {
  return {
    size: files.length,
    initial: () => files.length,
    render: (count) => {
      if (count === 0) return '';
      const lines = files.slice(0, count).map((file) => `- ${clipStart(oneLine(displayPath(file.path, cwd), Infinity), ITEM_CHARS)} (${file.kind})`);
      if (count < files.length) lines.push(`- … and ${files.length - count} more`);
      return `### Files changed (${files.length})\n\n${lines.join('\n')}`;
    },
    describeCut: (count) => (count === 0 ? 'files changed left out' : `files changed (first ${count} of ${files.length} shown)`),
  };
}

function commandsSection(commands: readonly CommandRun[], total: number): Section {
  return {
    size: commands.length,
    initial: () => commands.length,
    render: (count) => {
      if (count === 0) return '';
      const lines = commands.slice(commands.length - count).map(commandLine);
      // Earlier commands than the trace holds count too: the list says how many are not shown.
      if (count < total) lines.unshift(`- … ${total - count} earlier`);
      return `### Commands (${total})\n\n${lines.join('\n')}`;
    },
    describeCut: (count) => (count === 0 ? 'commands left out' : `commands (last ${count} of ${total} shown)`),
  };
}

function todosSection(todos: readonly TodoItem[]): Section {
  // Unfinished items are kept first: they are the work a next session picks up.
  const rank = { in_progress: 0, pending: 1, completed: 2 } as const;
  const byPriority = todos.map((item, index) => ({ item, index })).sort((a, b) => rank[a.item.status] - rank[b.item.status] || a.index - b.index);
  const done = todos.filter((item) => item.status === 'completed').length;
  return {
    size: todos.length,
    initial: () => todos.length,
    render: (count) => {
      if (count === 0) return '';
      const kept = new Set(byPriority.slice(0, count).map(({ index }) => index));
      const lines = todos.filter((_, index) => kept.has(index)).map(todoLine);
      if (count < todos.length) lines.push(`- … and ${todos.length - count} more`);
      return `### Todos (${done} of ${todos.length} done)\n\n${lines.join('\n')}`;
    },
    describeCut: (count) => (count === 0 ? 'todos left out' : `todos (${count} of ${todos.length} shown)`),
  };
}

function headerLines(trace: SessionTrace, title: string | undefined): string[] {
  const lines = [oneLine(title ?? titleOf(trace), 300)];
  if (trace.issues.length > 0) lines.push(oneLine(`Transcript issues: ${trace.issues.map((issue) => issue.detail).join('; ')}.`, 300));
  if (trace.lastError !== undefined) lines.push(oneLine(`Last error: ${trace.lastError}`, 300));
  return lines;
}

function titleOf(trace: SessionTrace): string {
  const session = `Trace of ${AGENT_TITLES[trace.agent]} session${trace.sessionId ? ` ${trace.sessionId}` : ''}, read from its transcript`;
  const { turns, toolCalls } = trace.counts;
  if (trace.work === 'none') return `${session}: no model reply, the session did no work.`;
  if (trace.work === 'unknown' && trace.bytes.read === 0) return `${session}: nothing could be read.`;
  const facts = [plural(turns, 'model turn'), plural(toolCalls, 'tool call')];
  if (trace.compacted) facts.push('compacted');
  return `${session}: ${facts.join(', ')}.`;
}

function cutNote(
  sections: Record<SectionName, Section>,
  forms: ReadonlyMap<SectionName, number>,
  full: ReadonlyMap<SectionName, number>,
  maxLines: number,
  maxChars: number,
): string {
  const cuts = CUT_ORDER.filter((name) => forms.get(name)! < full.get(name)!).map((name) => sections[name].describeCut(forms.get(name)!));
  if (cuts.length === 0) return '';
  const limits = [Number.isFinite(maxLines) ? `${maxLines} lines` : '', Number.isFinite(maxChars) ? `${maxChars} characters` : ''].filter(Boolean);
  return `_Shortened to fit ${limits.join(' and ')}: ${cuts.join('; ')}._`;
}

/**
 * The largest form in 1..largest for which `fits` holds, or 0, by bisection: a smaller form (fewer
 * items, fewer characters) never renders longer, save a digit in a count, which an item outweighs.
 */
function largestFitting(largest: number, fits: (form: number) => boolean): number {
  if (largest < 1) return 0;
  let low = 0;
  let high = largest;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * A budget too small even for the title, notes and transcript line: keep the transcript line and
 * as many lines from the top as fit; clip characters only when the transcript line alone is too long.
 */
function hardCut(text: string, footer: string, maxLines: number, maxChars: number): string {
  const lines = text.replace(/\n$/, '').split('\n').slice(0, -1);
  const kept: string[] = [];
  let chars = footer.length + 1;
  for (const line of lines) {
    if (kept.length + 2 > maxLines || chars + line.length + 1 > maxChars) break;
    kept.push(line);
    chars += line.length + 1;
  }
  const result = `${[...kept, footer].join('\n')}\n`;
  if (result.length <= maxChars) return result;
  let end = maxChars - 1;
  // Never split a surrogate pair.
  if (end > 0 && /[\uD800-\uDBFF]/.test(result[end - 1]!)) end--;
  return `${result.slice(0, end)}\n`;
}

function commandLine(run: CommandRun): string {
  const [first = ''] = run.command.trim().split('\n');
  const more = run.command.trim().includes('\n') ? ' …' : '';
  const outcome =
    run.status === 'failed' ? ` — failed${run.exitCode === undefined ? '' : ` (exit ${run.exitCode})`}` : run.status === 'unknown' ? ' — no result' : '';
  return `- ${codeSpan(clipEnd(first, ITEM_CHARS))}${more}${outcome}`;
}

function todoLine(item: TodoItem): string {
  const box = item.status === 'completed' ? '[x]' : '[ ]';
  return `- ${box} ${oneLine(item.content, ITEM_CHARS)}${item.status === 'in_progress' ? ' (in progress)' : ''}`;
}

function displayPath(path: string, cwd: string | undefined): string {
  if (cwd === undefined || cwd === '') return path;
  const base = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return path.startsWith(base) && path.length > base.length ? path.slice(base.length) : path;
}

/** A Markdown code span that holds any text: fenced with more backticks than the text has in a row. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 || text.startsWith(' ') || text.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.trim() === '' ? '>' : `> ${line}`))
    .join('\n');
}

function oneLine(text: string, max: number): string {
  return clipEnd(text.replace(/\s*\n\s*/g, ' ').trim(), max);
}

function clipEnd(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Keeps the end of a long path: the file name says more than its folders. */
function clipStart(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function budget(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 1) throw new TraceError('INVALID_OPTION', `${name} must be a number, at least 1`);
  return value === Infinity ? value : Math.floor(value);
}

function countLines(text: string): number {
  if (text === '') return 0;
  let count = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return text.endsWith('\n') ? count - 1 : count;
}
