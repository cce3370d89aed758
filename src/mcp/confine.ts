import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryError, errorCode } from '../errors.js';
import { topicFile } from '../memory/topic.js';

/**
 * Keeps memory tools inside the memory folder when it holds symbolic links.
 *
 * The topic grammar (`topicFile`) already refuses `..`, absolute paths, backslashes and hidden
 * names, and the store opens the last component without following a link. A link *directory*
 * inside the folder (`notes -> /etc`) would still be followed by `notes/passwd`, for reading and for
 * writing. So a topic is refused when any component of its path, the last included, is a link.
 * The memory folder itself may be a link (a dotfiles setup): only what is below it is checked.
 *
 * The check and the following open are two steps; a link swapped in between by another process of
 * the same user is not caught (Node has no `openat` with `O_NOFOLLOW` on every component).
 */

/**
 * The topic's file path relative to `root` (`infra/servers.md`) once it is a plain relative name
 * whose every existing component under `root` is a file or a directory, never a link.
 *
 * @throws MemoryError `INVALID_TOPIC` for a name outside the grammar or a path through a link; `IO`.
 */
export async function confinedTopic(root: string, topic: unknown): Promise<string> {
  const file = topicFile(topic);
  const segments = file.split('/');
  for (let depth = 1; depth <= segments.length; depth++) {
    const relative = segments.slice(0, depth).join('/');
    let isLink: boolean;
    try {
      isLink = (await lstat(join(root, ...segments.slice(0, depth)))).isSymbolicLink();
    } catch (error) {
      // Nothing further down can exist (or be a link) below a missing component.
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return file;
      throw new MemoryError('IO', `cannot check ${relative} (${errorCode(error) ?? 'UNKNOWN'})`, { cause: error, path: join(root, relative) });
    }
    if (isLink) {
      throw new MemoryError('INVALID_TOPIC', `topic ${JSON.stringify(file)} goes through the symbolic link ${relative}; links out of the memory folder are not followed`, {
        path: join(root, relative),
      });
    }
  }
  return file;
}
