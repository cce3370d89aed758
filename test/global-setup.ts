import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// Process tests run the built package, as users get it; build it once per test run.
export default function setup(): void {
  execFileSync(process.execPath, [join('node_modules', 'tsup', 'dist', 'cli-default.js'), '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
