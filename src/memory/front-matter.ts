import { splitLines } from './parse.js';

/**
 * The front matter of a topic file, as Claude Code's auto memory writes and reads it:
 *
 * ```md
 * ---
 * name: deploy-steps
 * description: How releases go out; read before deploying
 * type: project
 * ---
 * ```
 *
 * Claude Code 2.1.197 asks its model for `type` nested under `metadata:`, and folds every other
 * top-level key into `metadata` when it reads, so `type:` at the top level means the same to it
 * and is also what earlier versions read: that is the form written here; both forms are read.
 * Only the lines of the fields being set are ever rewritten; everything else in the file is kept
 * byte for byte. Pure: no filesystem here.
 */

/** The memory types Claude Code knows. */
export const MEMORY_TYPES = ['user', 'feedback', 'project', 'reference'] as const;

/** One of {@link MEMORY_TYPES}. */
export type MemoryType = (typeof MEMORY_TYPES)[number];

/** Whether `value` is one of {@link MEMORY_TYPES}. */
export function isMemoryType(value: unknown): value is MemoryType {
  return typeof value === 'string' && (MEMORY_TYPES as readonly string[]).includes(value);
}

/** The fields of a topic's front matter this library reads, as written (not validated). */
export interface TopicFrontMatter {
  readonly name?: string;
  readonly description?: string;
  /** `metadata.type` when present (it wins in Claude Code), else a top-level `type`. */
  readonly type?: string;
}

/** A topic file's text, split. */
export interface ParsedTopic {
  /** `undefined` when the file has no front-matter block. */
  readonly frontMatter: TopicFrontMatter | undefined;
  /** The text after the front matter and the blank lines that follow it. */
  readonly body: string;
  /** The first `# Heading` of the body, when there is one. */
  readonly heading: string | undefined;
}

/** What {@link setTopicFrontMatter} sets; omitted fields are left as they are. */
export interface TopicFields {
  name?: string;
  description?: string;
  type?: MemoryType;
}

interface Block {
  /** Lines of the whole text, each with its line ending. */
  readonly lines: string[];
  /** Index of the closing `---` line. */
  readonly close: number;
  readonly eol: string;
}

/** A field's lines inside the block: [start, end) line indexes, its indent, and its value. */
interface FieldSpan {
  readonly start: number;
  readonly end: number;
  readonly indent: string;
  readonly value: string;
}

const KEY_LINE = /^([ \t]*)([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*\r?\n?$/;

/** Splits a topic file into front matter, body and first heading. Never throws. */
export function parseTopic(text: string): ParsedTopic {
  const block = findBlock(text);
  if (!block) return { frontMatter: undefined, body: text, heading: firstHeading(text) };
  // Blank lines after the closing fence are not body, as in Claude Code (`---\s*\n`).
  const body = block.lines.slice(block.close + 1).join('').replace(/^(?:[ \t]*\r?\n)+/, '');
  const top = (key: string) => findField(block, key, '')?.value;
  const metadata = findField(block, 'metadata', '');
  const nestedType = metadata ? findNested(block, metadata, 'type')?.value : undefined;
  const frontMatter: { name?: string; description?: string; type?: string } = {};
  const name = top('name');
  const description = top('description');
  const type = nestedType ?? top('type');
  if (name !== undefined) frontMatter.name = name;
  if (description !== undefined) frontMatter.description = description;
  if (type !== undefined) frontMatter.type = type;
  return { frontMatter, body, heading: firstHeading(body) };
}

/**
 * Sets fields of a topic's front matter: a field's line is replaced when its value differs, a
 * missing field is added before the closing `---`, a file without front matter gets a block.
 * Returns `text` itself when nothing changes.
 */
export function setTopicFrontMatter(text: string, fields: TopicFields): string {
  const wanted = (['name', 'description', 'type'] as const)
    .filter((key) => fields[key] !== undefined)
    .map((key) => [key, fields[key]!] as const);
  if (wanted.length === 0) return text;
  const block = findBlock(text);
  if (!block) {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lines = wanted.map(([key, value]) => `${key}: ${renderScalar(value)}${eol}`).join('');
    return `---${eol}${lines}---${eol}${text === '' ? '' : eol}${text}`;
  }
  const lines = [...block.lines];
  const edits: Array<{ start: number; end: number; replacement: string[] }> = [];
  const additions: string[] = [];
  for (const [key, value] of wanted) {
    const metadata = key === 'type' ? findField(block, 'metadata', '') : undefined;
    const span = (metadata && findNested(block, metadata, 'type')) ?? findField(block, key, '');
    if (span === undefined) additions.push(`${key}: ${renderScalar(value)}${block.eol}`);
    else if (span.value !== value) {
      edits.push({ start: span.start, end: span.end, replacement: [`${span.indent}${key}: ${renderScalar(value)}${block.eol}`] });
    }
  }
  if (edits.length === 0 && additions.length === 0) return text;
  // Splice from the bottom so earlier indexes stay valid; additions go just before the fence.
  lines.splice(block.close, 0, ...additions);
  for (const edit of edits.sort((a, b) => b.start - a.start)) lines.splice(edit.start, edit.end - edit.start, ...edit.replacement);
  return lines.join('');
}

/**
 * The `name` Claude Code would give a topic file: its path without `.md`, kept when it is already
 * a slug of `[a-z0-9_-]`, else lower-cased with every other run of characters made one `-`.
 */
export function topicName(file: string): string {
  const stem = file.replace(/\.md$/i, '');
  if (/^[a-z0-9_-]+$/.test(stem)) return stem;
  return stem.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'topic';
}

/** The front-matter block at the very start of the text: `---` lines around it. */
function findBlock(text: string): Block | undefined {
  const lines = splitLines(text);
  if (lines.length === 0 || !/^---[ \t]*\r?\n$/.test(lines[0]!)) return undefined;
  for (let index = 1; index < lines.length; index++) {
    if (/^---[ \t]*(?:\r?\n)?$/.test(lines[index]!)) {
      return { lines, close: index, eol: lines[0]!.endsWith('\r\n') ? '\r\n' : '\n' };
    }
  }
  return undefined;
}

/** A key at `indent` between the fences: its line and the more-indented or blank lines under it. */
function findField(block: Block, key: string, indent: string, from = 1, to = block.close): FieldSpan | undefined {
  for (let index = from; index < to; index++) {
    const match = KEY_LINE.exec(block.lines[index]!);
    if (!match || match[1] !== indent || match[2] !== key) continue;
    let end = index + 1;
    while (end < to && (isBlank(block.lines[end]!) || indentOf(block.lines[end]!).length > indent.length)) end++;
    while (end - 1 > index && isBlank(block.lines[end - 1]!)) end--;
    const continuation = block.lines.slice(index + 1, end);
    return { start: index, end, indent, value: scalar(match[3] ?? '', continuation) };
  }
  return undefined;
}

/** A key nested one level under `parent` (e.g. `metadata:` → `  type: project`). */
function findNested(block: Block, parent: FieldSpan, key: string): FieldSpan | undefined {
  const child = block.lines.slice(parent.start + 1, parent.end).find((line) => !isBlank(line));
  if (child === undefined) return undefined;
  return findField(block, key, indentOf(child), parent.start + 1, parent.end);
}

/** The value of a YAML scalar: plain, quoted, or a `|` / `>` block, possibly over several lines. */
function scalar(head: string, continuation: string[]): string {
  const more = continuation.map((line) => line.replace(/\r?\n$/, ''));
  if (/^[|>][+-]?\d*$/.test(head)) {
    const indent = Math.min(...more.filter((line) => line.trim() !== '').map((line) => indentOf(line).length));
    const content = more.map((line) => line.slice(Number.isFinite(indent) ? indent : 0));
    return (head.startsWith('|') ? content.join('\n') : content.map((line) => line.trim()).join(' ')).trim();
  }
  const joined = [head, ...more.map((line) => line.trim())].filter((part) => part !== '').join(' ');
  if (joined.startsWith('"')) {
    const close = /^"((?:[^"\\]|\\.)*)"/.exec(joined);
    if (close) {
      try {
        return JSON.parse(`"${close[1]!.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')}"`) as string;
      } catch {
        return close[1]!;
      }
    }
  }
  if (joined.startsWith("'")) {
    const close = /^'((?:[^']|'')*)'/.exec(joined);
    if (close) return close[1]!.replace(/''/g, "'");
  }
  return joined.replace(/\s+#.*$/, '');
}

/**
 * A value as YAML: plain when it reads back as the same string, else double-quoted (JSON's
 * string syntax is valid YAML).
 */
export function renderScalar(value: string): string {
  const plain =
    /^[^\s\-?:,[\]{}#&*!|>'"%@`]/.test(value) &&
    !/[\r\n\t]|: |\s#|:$|\s$/.test(value) &&
    !/^(?:true|false|yes|no|on|off|null|~|y|n)$/i.test(value) &&
    !/^[-+]?(?:\.?\d|0[xob])/.test(value);
  return plain ? value : JSON.stringify(value);
}

function firstHeading(body: string): string | undefined {
  let fence: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (heading !== undefined) return heading;
  }
  return undefined;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}
