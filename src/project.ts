import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Where a working directory belongs, for scoping handoffs to a project. */
export interface ProjectInfo {
  /** The git work tree root containing `cwd`, else `cwd` itself. */
  root: string;
  /** The checked-out branch, when `root` is a git work tree on a branch. */
  branch: string | undefined;
  /** Whether a git work tree was found. */
  git: boolean;
}

/**
 * Finds the project root of `cwd` (the nearest directory upward holding `.git`, a directory or a
 * worktree's `.git` file) and its branch, by reading files only: no git binary, no shell.
 */
export async function detectProject(cwd: string): Promise<ProjectInfo> {
  const start = resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const info = await stat(dotGit).catch(() => undefined);
    if (info) return { root: dir, branch: await readBranch(dotGit, info.isDirectory()), git: true };
    if (dirname(dir) === dir) return { root: start, branch: undefined, git: false };
  }
}

async function readBranch(dotGit: string, isDirectory: boolean): Promise<string | undefined> {
  try {
    let gitDir = dotGit;
    if (!isDirectory) {
      // A worktree or submodule: `.git` is a file saying where the git directory is.
      const pointer = /^gitdir:\s*(.+)$/m.exec(await readFile(dotGit, 'utf8'))?.[1]?.trim();
      if (!pointer) return undefined;
      gitDir = isAbsolute(pointer) ? pointer : resolve(dirname(dotGit), pointer);
    }
    const head = (await readFile(join(gitDir, 'HEAD'), 'utf8')).trim();
    return /^ref: refs\/heads\/(.+)$/.exec(head)?.[1];
  } catch {
    return undefined;
  }
}
