import { InitError } from './errors.js';

/** A JSON config file read for editing: its object and the layout to write it back in. */
export interface JsonFile {
  value: Record<string, unknown>;
  /** The file's indentation (two spaces for a new file). */
  indent: string;
  /** The file's line ending. */
  eol: '\n' | '\r\n';
  /** Whether the text ended with a line ending (a new file does). */
  finalNewline: boolean;
}

/**
 * Parses a JSON config that must hold an object; a missing or blank file is `{}`.
 *
 * @throws InitError `INVALID_CONFIG` when the text is not JSON (comments and trailing commas
 * included: init will not guess at a file it cannot read, nor drop the user's comments).
 */
export function parseJsonFile(text: string | undefined, path: string): JsonFile {
  if (text === undefined || text.trim() === '') return { value: {}, indent: '  ', eol: '\n', finalNewline: true };
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InitError('INVALID_CONFIG', `${path} is not valid JSON (init does not edit files with comments); fix it or move it aside, then run init again`, {
      cause: error,
      path,
    });
  }
  if (!isObject(value)) throw new InitError('INVALID_CONFIG', `${path} does not hold a JSON object`, { path });
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  return { value, indent, eol: text.includes('\r\n') ? '\r\n' : '\n', finalNewline: /\n$/.test(text) };
}

/**
 * The text of `value` laid out like `file`. When `value` says exactly what the file already says
 * (same keys in the same order), the original text is returned byte for byte.
 */
export function renderJsonFile(file: JsonFile, value: Record<string, unknown>, original: string | undefined): string {
  if (original !== undefined && original.trim() !== '' && JSON.stringify(value) === JSON.stringify(file.value)) return original;
  const body = JSON.stringify(value, null, file.indent);
  return (file.eol === '\n' ? body : body.replace(/\n/g, '\r\n')) + (file.finalNewline ? file.eol : '');
}

/** Whether a value is a plain JSON object (not null, not a list). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
