import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HANDOFFS_CLI, shellQuote } from './handoffs-cli.js';

/** The environment variable naming the barrier folder of one race; unset, the barrier is off. */
export const BARRIER_ENV = 'HANDOFFS_E2E_BARRIER';

/**
 * Writes a command to give `handoffs init --command`: it runs this checkout's real CLI with the
 * hook's arguments and stdin, but holds a `start` hook first until `parties` start hooks have
 * arrived in the folder named by `$HANDOFFS_E2E_BARRIER` (at most 20 s). Two clients whose start-up
 * takes different times (Claude Code reaches its hook about a second after Codex) then claim at the
 * same instant: a race on the store, not two sessions one after the other. Returns the command.
 */
export async function writeStartBarrier(scriptPath: string, parties: number): Promise<string> {
  const script = `#!/bin/sh
# Written by the handoffs e2e tests: holds each start hook until ${parties} have arrived, then runs
# the real CLI (exec keeps the hook's stdin and exit code).
if [ "$1" = start ] && [ -n "$${BARRIER_ENV}" ]; then
  mkdir -p "$${BARRIER_ENV}"
  : > "$${BARRIER_ENV}/$$"
  waited=0
  while [ "$(ls "$${BARRIER_ENV}" | wc -l)" -lt ${parties} ] && [ "$waited" -lt 2000 ]; do
    sleep 0.01
    waited=$((waited + 1))
  done
fi
exec ${shellQuote(process.execPath)} ${shellQuote(HANDOFFS_CLI)} "$@"
`;
  await mkdir(dirname(scriptPath), { recursive: true });
  await writeFile(scriptPath, script);
  await chmod(scriptPath, 0o755);
  return shellQuote(scriptPath);
}
