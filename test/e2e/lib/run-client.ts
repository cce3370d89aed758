import { spawn } from 'node:child_process';

/** How one run of a real client ended. */
export interface ClientRun {
  /** The exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /**
   * stderr as it arrived, each chunk with the epoch milliseconds it was read at: when a client
   * prints progress lines (Codex's `hook: SessionStart`), this says when it printed them.
   */
  readonly stderrTimeline: ReadonlyArray<{ readonly at: number; readonly text: string }>;
  /** From spawn to exit, in milliseconds. */
  readonly wallMs: number;
  /** When it exited, in epoch milliseconds (comparable with the hook probes' timestamps). */
  readonly endedAt: number;
  /** True when the run was killed for outliving `timeoutMs`. */
  readonly timedOut: boolean;
}

/** Options of {@link runClient}. */
export interface RunClientOptions {
  readonly cwd: string;
  /** The whole environment of the client: nothing of the test process's is inherited. */
  readonly env: Record<string, string>;
  /** Killed (with its whole process group) past this. Default: 120 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Runs a client to completion with stdin closed (Codex and Gemini read a piped stdin as more prompt;
 * an empty one ends that at once). The client gets its own process group so a timeout also ends the
 * helper processes it started (hooks, shells, the native binary behind an npm wrapper).
 */
export function runClient(command: string, args: readonly string[], options: RunClientOptions): Promise<ClientRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    const stderrTimeline: Array<{ at: number; text: string }> = [];
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      stderrTimeline.push({ at: Date.now(), text: chunk });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr, stderrTimeline, wallMs: Math.round(performance.now() - started), endedAt: Date.now(), timedOut });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone: nothing to end.
  }
}
