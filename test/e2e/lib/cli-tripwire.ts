import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A `handoffs` command that only records that it ran, put first on a PATH: a client or plugin that
 * reaches for the CLI (`handoffs start`, `handoffs end`…) runs it instead of the real one and leaves
 * a line in its log. With the real CLI nowhere on that PATH, a handoff consumed during the run was
 * consumed by something that did not need the command.
 */
export interface CliTripwire {
  /** The command lines it was run with, in order. */
  calls(): Promise<string[]>;
}

/** Writes the tripwire into `<home>/tripwire-bin` and puts that folder first on `env.PATH` (in place). */
export async function installCliTripwire(home: string, env: Record<string, string>): Promise<CliTripwire> {
  const bin = join(home, 'tripwire-bin');
  const log = join(home, 'tripwire-calls.log');
  await mkdir(bin, { recursive: true });
  const script = join(bin, 'handoffs');
  await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "handoffs $*" >> '${log}'\nexit 127\n`);
  await chmod(script, 0o755);
  env.PATH = `${bin}:${env.PATH ?? ''}`;
  return {
    calls: async () => {
      try {
        return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}
