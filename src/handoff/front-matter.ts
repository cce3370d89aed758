import { HandoffError } from '../errors.js';

/** One front-matter value. */
export type MetaValue = string | number | boolean | string[];

/**
 * Metadata a handoff may carry as front matter. All fields are optional; a file without front
 * matter (one written by hand) has empty metadata and is in scope for every project.
 */
export interface HandoffMeta {
  /** The project root the handoff belongs to (the git root of the writer's cwd, else the cwd). */
  project?: string;
  /** The agent session that wrote it. */
  sessionId?: string;
  /** The writer's working directory. */
  cwd?: string;
  /** The machine's host name. */
  host?: string;
  /** The git branch checked out when it was written. */
  branch?: string;
  /** Free-form labels. */
  tags?: string[];
  /** Anything else: keys `[A-Za-z][A-Za-z0-9_-]*`, values strings, numbers, booleans or string lists. */
  [key: string]: MetaValue | undefined;
}

const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
const FENCE = /^---\r?\n([\s\S]*?)\r?\n?---[ \t]*(?:\r?\n|$)/;

/**
 * Renders metadata as a front-matter block (`---` lines around `key: value`), or `''` when there is
 * nothing to write. Values are written as JSON, which every YAML parser also reads.
 *
 * @throws HandoffError `INVALID_META` for a key or value front matter cannot carry.
 */
export function renderFrontMatter(meta: HandoffMeta | undefined): string {
  if (meta === undefined) return '';
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new HandoffError('INVALID_META', 'meta must be a plain object');
  }
  const lines: string[] = [];
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined) continue;
    if (!KEY_PATTERN.test(key)) {
      throw new HandoffError('INVALID_META', `meta key ${JSON.stringify(key)} is not [A-Za-z][A-Za-z0-9_-]*`);
    }
    if (!isMetaValue(value)) {
      throw new HandoffError('INVALID_META', `meta.${key} must be a string, number, boolean or string[]`);
    }
    lines.push(`${key}: ${JSON.stringify(value)}`);
  }
  return lines.length === 0 ? '' : `---\n${lines.join('\n')}\n---\n`;
}

/**
 * Splits a handoff's text into its front matter and body. Text without a front-matter block is all
 * body. Values that are not JSON are kept as trimmed strings, so hand-written `key: plain text`
 * lines read as expected; lines that are not `key: value` are ignored.
 */
export function parseFrontMatter(text: string): { meta: HandoffMeta; body: string } {
  const fence = FENCE.exec(text);
  if (!fence) return { meta: {}, body: text };
  const meta: HandoffMeta = {};
  for (const line of fence[1]!.split(/\r?\n/)) {
    const separator = line.indexOf(':');
    if (separator <= 0) continue;
    const key = line.slice(0, separator).trim();
    if (!KEY_PATTERN.test(key)) continue;
    meta[key] = parseValue(line.slice(separator + 1).trim());
  }
  return { meta, body: text.slice(fence[0].length) };
}

function parseValue(raw: string): MetaValue {
  try {
    const value: unknown = JSON.parse(raw);
    if (isMetaValue(value)) return value;
  } catch {
    // Not JSON: a hand-written plain scalar.
  }
  return raw;
}

function isMetaValue(value: unknown): value is MetaValue {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
