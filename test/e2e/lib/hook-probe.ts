import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Options of {@link writeHookProbe}. */
export interface HookProbeOptions {
  /** Where the probe script is written. */
  readonly scriptPath: string;
  /** The folder each call is recorded into, one JSON file per call. */
  readonly recordDir: string;
  /** Names the calls of this probe in the records (e.g. `SessionStart`). */
  readonly label: string;
  /** Exactly what the probe prints on stdout. Default: nothing. */
  readonly stdout?: string;
  /** Its exit code. Default: 0. */
  readonly exitCode?: number;
  /** How long it works before finishing, to see whether the client waits for it. Default: 0 ms. */
  readonly delayMs?: number;
}

/** One call of a probe, as the probe recorded it. */
export interface HookCall {
  readonly label: string;
  /** Its stdin, as received. */
  readonly stdin: string;
  /** Its stdin parsed as JSON, when it is JSON. */
  readonly input: Record<string, unknown> | undefined;
  /** Its whole environment. */
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly argv: readonly string[];
  /** Epoch milliseconds when stdin was read. */
  readonly startedAt: number;
  /** Epoch milliseconds when it finished its work, absent when it was killed first. */
  readonly finishedAt?: number;
}

/**
 * Writes a tiny Node hook script that records its stdin, environment and working directory, then
 * prints `stdout` and exits with `exitCode` (after `delayMs`). Returns the command line a client's
 * hook configuration runs. The record is written before the delay and again after it, so a client
 * that kills a slow hook leaves a record without `finishedAt`.
 */
export async function writeHookProbe(options: HookProbeOptions): Promise<string> {
  const settings = {
    recordDir: options.recordDir,
    label: options.label,
    stdout: options.stdout ?? '',
    exitCode: options.exitCode ?? 0,
    delayMs: options.delayMs ?? 0,
  };
  const script = `// Hook probe written by the handoffs e2e tests: records its call, prints a fixed output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const settings = ${JSON.stringify(settings)};
let stdin = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (stdin += chunk));
process.stdin.on('end', () => {
  mkdirSync(settings.recordDir, { recursive: true });
  const file = join(settings.recordDir, settings.label + '-' + Date.now() + '-' + process.pid + '.json');
  const record = { label: settings.label, stdin, env: process.env, cwd: process.cwd(), argv: process.argv, startedAt: Date.now() };
  writeFileSync(file, JSON.stringify(record));
  setTimeout(() => {
    writeFileSync(file, JSON.stringify({ ...record, finishedAt: Date.now() }));
    process.stdout.write(settings.stdout);
    process.exitCode = settings.exitCode;
  }, settings.delayMs);
});
`;
  await mkdir(dirname(options.scriptPath), { recursive: true });
  await writeFile(options.scriptPath, script);
  return `${JSON.stringify(process.execPath)} ${JSON.stringify(options.scriptPath)}`;
}

/**
 * Waits until a probe that started at `startedAt` and works `delayMs` would have finished, then
 * reads its record again: still no `finishedAt` means the client killed it (an orphaned probe would
 * have finished by then).
 */
export async function wasKilled(recordDir: string, label: string, delayMs: number): Promise<boolean> {
  const call = (await readHookCalls(recordDir)).find((recorded) => recorded.label === label);
  if (!call) throw new Error(`hook ${label} never ran`);
  const wait = call.startedAt + delayMs + 500 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const again = (await readHookCalls(recordDir)).find((recorded) => recorded.label === label);
  return again?.finishedAt === undefined;
}

/** Every call recorded in `recordDir`, oldest first; none when the folder does not exist. */
export async function readHookCalls(recordDir: string): Promise<HookCall[]> {
  let names: string[];
  try {
    names = await readdir(recordDir);
  } catch {
    return [];
  }
  const calls: HookCall[] = [];
  for (const name of names.filter((file) => file.endsWith('.json'))) {
    const raw = JSON.parse(await readFile(join(recordDir, name), 'utf8')) as Omit<HookCall, 'input'>;
    calls.push({ ...raw, input: parseObject(raw.stdin) });
  }
  return calls.sort((a, b) => a.startedAt - b.startedAt);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
