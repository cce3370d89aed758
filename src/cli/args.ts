import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** A mistake in how the command was called: exit code 2 and a pointer to --help. */
export class UsageError extends Error {}

/** What a command reads and writes, so tests can run the CLI in process as well. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The result of `parseArgs` for one command. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Expands a leading `~` and resolves to an absolute path. */
export function resolveHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : resolve(path);
}

export function requireString(values: Parsed['values'], name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function requirePositional(positionals: readonly string[], name: string, index = 0): string {
  const value = positionals[index];
  if (value === undefined) throw new UsageError(`missing ${name}`);
  return value;
}

/** A whole-number option, or `undefined` when absent. */
export function optionalCount(values: Parsed['values'], name: string): number | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) {
    throw new UsageError(`--${name} takes a whole number, got '${String(value)}'`);
  }
  return Number(value);
}

/** A body from `--file F`, or from stdin when there is no file or it is `-`. */
export async function readBody(file: string | undefined, io: Io): Promise<string> {
  if (file !== undefined && file !== '-') return readFile(resolve(io.cwd, file), 'utf8');
  if (io.stdin.isTTY) throw new UsageError('no body: pass --file F or pipe the text on stdin');
  return readAll(io.stdin);
}

/** All of a stream as UTF-8; `''` for a terminal, which would wait for typing. */
export async function readAll(stream: Io['stdin']): Promise<string> {
  if (stream.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
