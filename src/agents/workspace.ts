import { resolve } from 'node:path';
import { inspectTarget, type TargetFile } from './files.js';
import type { FileChange, StagedFiles } from './types.js';

interface Staged {
  target: TargetFile;
  after: string | undefined;
  dirMode: number | undefined;
}

/**
 * The files of one plan, read once and edited in memory. Several agents may edit one file (Codex
 * and OpenCode share a repository's AGENTS.md): each reads what the one before staged, and the
 * plan holds one change per file.
 */
export class Workspace implements StagedFiles {
  readonly #staged = new Map<string, Staged>();

  /** The text `path` has in this plan: staged edits first, else the disk (through links). */
  async read(path: string): Promise<string | undefined> {
    return (await this.#entry(path)).after;
  }

  /** Stages `text` as the new content of `path`. `dirMode` is used for folders that must be created. */
  async write(path: string, text: string, options: { dirMode?: number } = {}): Promise<void> {
    const entry = await this.#entry(path);
    entry.after = text;
    entry.dirMode = options.dirMode ?? entry.dirMode;
  }

  /**
   * Stages the removal of `path` (uninstall of a file init created). A symbolic link is never
   * removed, nor its target: the target is left holding `emptyText`, so the link stays valid.
   */
  async remove(path: string, emptyText: string): Promise<void> {
    const entry = await this.#entry(path);
    entry.after = entry.target.link ? emptyText : undefined;
  }

  /** One change per file touched, in the order first touched. */
  changes(): FileChange[] {
    return [...this.#staged.values()].map(({ target, after, dirMode }) => {
      const action =
        target.text === after ? 'unchanged' : target.text === undefined ? 'create' : after === undefined ? 'delete' : 'update';
      const change: FileChange = { path: target.path, realPath: target.realPath, action, before: target.text, after };
      if (dirMode !== undefined) change.dirMode = dirMode;
      return change;
    });
  }

  async #entry(path: string): Promise<Staged> {
    const key = resolve(path);
    let entry = this.#staged.get(key);
    if (!entry) {
      const target = await inspectTarget(key);
      entry = { target, after: target.text, dirMode: undefined };
      this.#staged.set(key, entry);
    }
    return entry;
  }
}
