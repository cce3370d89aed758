import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../../src/cli/main.js';

/** One run of the stand-in CLI, as a hook ran it. */
export interface HookRun {
  args: string[];
  /** `HANDOFFS_INIT` in the hook's environment: `'1'` when the marker prefix was run by a shell. */
  marker: string | undefined;
  stdin: string;
}

/**
 * A stand-in for the handoffs CLI, passed to init as `--command`: it records each run (arguments,
 * marker variable, stdin) and answers `start` with `token` as additional context, in the shape
 * Claude Code, Codex and Gemini CLI read (`hookSpecificOutput`), or Copilot's top-level one. It
 * proves what init wrote is run, whatever the real hook commands do.
 */
export async function recordingCli(
  folder: string,
  token: string,
  shape: 'hookSpecificOutput' | 'topLevel' = 'hookSpecificOutput',
): Promise<{ path: string; runs(): Promise<HookRun[]> }> {
  const output = shape === 'topLevel' ? { additionalContext: token } : { hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: token } };
  const log = join(folder, 'hook-runs.jsonl');
  const path = join(folder, 'bin', 'handoffs-stand-in');
  await mkdir(join(folder, 'bin'), { recursive: true });
  await writeFile(
    path,
    [
      `#!${process.execPath}`,
      "const { appendFileSync, readFileSync } = require('node:fs');",
      'const args = process.argv.slice(2);',
      `appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, marker: process.env.HANDOFFS_INIT, stdin: readFileSync(0, 'utf8') }) + '\\n');`,
      `if (args[0] === 'start') process.stdout.write(${JSON.stringify(JSON.stringify(output))});`,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return {
    path,
    runs: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as HookRun),
  };
}

/** Runs `handoffs init ARGS` in process with the given environment and folder. */
export async function runInit(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(['init', ...args], { stdout: sink((text) => (stdout += text)), stderr: sink((text) => (stderr += text)), stdin, env, cwd });
  return { code, stdout, stderr };
}
