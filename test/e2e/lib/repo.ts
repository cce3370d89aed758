import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Makes a git repository at `<home>/work/<name>`: the project a client session runs in. Clients find
 * the project root by its `.git` (Codex's AGENTS.md walk, Gemini's workspace, OpenCode's worktree),
 * so a real repository is what a user has. Returns its path.
 */
export async function makeRepo(home: string, name = 'project', files: Record<string, string> = {}): Promise<string> {
  const dir = join(home, 'work', name);
  await mkdir(dir, { recursive: true });
  await run('git', ['init', '-q', dir]);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}
