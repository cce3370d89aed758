import type { ChangeKind } from './types.js';

/**
 * The files an `apply_patch` patch names, the format Codex and Copilot CLI share
 * (`*** Begin Patch` … `*** End Patch`, one `*** Add File:`, `*** Update File:` or
 * `*** Delete File:` header per file, an Update optionally followed by `*** Move to:`). Paths are
 * as written, usually relative to the session's working directory.
 */

/** One file a patch changes, in the patch's order. */
export interface PatchChange {
  readonly path: string;
  readonly kind: ChangeKind;
}

const HEADER = /^\*\*\* (Add|Update|Delete) File: (.+)$/;
const MOVE = /^\*\*\* Move to: (.+)$/;

/**
 * The changes of the first patch in `text`, or `undefined` when it holds no `*** Begin Patch`.
 * A moved file is its old path `deleted` and its new path `created`.
 */
export function patchChanges(text: string): PatchChange[] | undefined {
  const begin = text.indexOf('*** Begin Patch');
  if (begin === -1) return undefined;
  const end = text.indexOf('*** End Patch', begin);
  const lines = text.slice(begin, end === -1 ? undefined : end).split(/\r?\n/);
  const changes: PatchChange[] = [];
  for (const [index, line] of lines.entries()) {
    const header = HEADER.exec(line);
    if (header === null) continue;
    const path = header[2]!.trim();
    if (header[1] === 'Add') changes.push({ path, kind: 'created' });
    else if (header[1] === 'Delete') changes.push({ path, kind: 'deleted' });
    else {
      const move = MOVE.exec(lines[index + 1] ?? '');
      if (move === null) changes.push({ path, kind: 'edited' });
      else changes.push({ path, kind: 'deleted' }, { path: move[1]!.trim(), kind: 'created' });
    }
  }
  return changes;
}

/**
 * The patch a shell command hands to `apply_patch` (a heredoc or a quoted argument, as models
 * write it for Codex), or `undefined` when the command does not run `apply_patch`.
 */
export function shellPatch(command: string): PatchChange[] | undefined {
  return /(^|[\s;&|(])(apply_patch|applypatch)(\s|$)/.test(command) ? patchChanges(command) : undefined;
}

/** `path` made absolute against `cwd` when it is relative (a patch's paths usually are). */
export function resolvePath(cwd: string | undefined, path: string): string {
  if (cwd === undefined || cwd === '' || path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')) return path;
  const separator = !cwd.includes('/') && cwd.includes('\\') ? '\\' : '/';
  const base = cwd.endsWith(separator) ? cwd : `${cwd}${separator}`;
  return `${base}${path.replace(/^\.[\\/]/, '')}`;
}
