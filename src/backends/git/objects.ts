import { createHash } from 'node:crypto';

/**
 * Git's object format, as far as the git store needs it: blobs, one-entry trees and commits, their
 * ids, and parsing them back. Pure functions: the bytes here are exactly what `git hash-object`
 * hashes, so an object written by this module and one written by git have the same id.
 */

/** The hash a repository names its objects with. */
export type ObjectFormat = 'sha1' | 'sha256';

/** The object kinds the store writes and reads. */
export type ObjectType = 'blob' | 'tree' | 'commit';

/** An object's type and content (without git's `<type> <size>\0` header). */
export interface GitObject {
  readonly type: ObjectType;
  readonly content: Uint8Array;
}

/** A commit taken apart. */
export interface CommitFields {
  readonly tree: string;
  readonly parents: readonly string[];
  /** The committer's time, seconds since the epoch. */
  readonly time: number;
  readonly message: string;
}

/** The identity on every commit the store writes: no user name or e-mail is read or needed. */
const IDENTITY = 'handoffs <handoffs@localhost>';
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The length of an object id in hex digits. */
export function idLength(format: ObjectFormat): number {
  return format === 'sha1' ? 40 : 64;
}

/** The id git gives `object`: the hash of `<type> <size>\0<content>`. */
export function objectId(format: ObjectFormat, object: GitObject): string {
  return createHash(format).update(objectHeader(object)).update(object.content).digest('hex');
}

/** Git's header of an object, as stored (before compression) and hashed. */
export function objectHeader(object: GitObject): Buffer {
  return Buffer.from(`${object.type} ${object.content.byteLength}\0`, 'ascii');
}

/** Pack type numbers of the object types (git's `OBJ_COMMIT`, `OBJ_TREE`, `OBJ_BLOB`). */
const PACK_TYPE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };

/**
 * A pack (version 2, no deltas) holding `objects`: what `git index-pack --stdin` takes. Writing a
 * thousand objects as one pack costs one file instead of a thousand.
 */
export function encodePack(format: ObjectFormat, objects: readonly GitObject[], deflate: (bytes: Uint8Array) => Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'ascii');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const parts: Uint8Array[] = [header];
  for (const object of objects) {
    // Type and size: the first byte holds the type and the low 4 bits of the size, then 7 bits a byte.
    let size = object.content.byteLength;
    const bytes = [(PACK_TYPE[object.type] << 4) | (size & 0x0f)];
    size = Math.floor(size / 16);
    while (size > 0) {
      bytes[bytes.length - 1]! |= 0x80;
      bytes.push(size & 0x7f);
      size = Math.floor(size / 128);
    }
    parts.push(Uint8Array.from(bytes), deflate(object.content));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash(format).update(body).digest()]);
}

/** A tree holding one regular file `name` whose content is the blob `blobId`. */
export function encodeTree(name: string, blobId: string): GitObject {
  if (!/^[^/\0]+$/.test(name)) throw new TypeError(`not a tree entry name: ${JSON.stringify(name)}`);
  return { type: 'tree', content: Buffer.concat([Buffer.from(`100644 ${name}\0`, 'utf8'), Buffer.from(blobId, 'hex')]) };
}

/** The entries of a tree: name to blob or tree id. */
export function parseTree(content: Uint8Array, format: ObjectFormat): Map<string, { mode: string; id: string }> {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const size = idLength(format) / 2;
  const entries = new Map<string, { mode: string; id: string }>();
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const nul = bytes.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + size > bytes.length) throw new TypeError('malformed tree');
    const mode = bytes.toString('ascii', at, space);
    const name = bytes.toString('utf8', space + 1, nul);
    entries.set(name, { mode, id: bytes.toString('hex', nul + 1, nul + 1 + size) });
    at = nul + 1 + size;
  }
  return entries;
}

/** A commit of `tree` with `message`, written by the store's own identity at `time` (seconds). */
export function encodeCommit(fields: CommitFields): GitObject {
  const time = Math.floor(fields.time);
  const lines = [`tree ${fields.tree}`, ...fields.parents.map((parent) => `parent ${parent}`)];
  lines.push(`author ${IDENTITY} ${time} +0000`, `committer ${IDENTITY} ${time} +0000`, '', fields.message);
  return { type: 'commit', content: Buffer.from(lines.join('\n'), 'utf8') };
}

/**
 * Takes a commit apart, or returns `undefined` when the bytes are not a commit git would write
 * (anything can sit under a ref someone else pushed).
 */
export function parseCommit(content: Uint8Array): CommitFields | undefined {
  let text: string;
  try {
    text = decoder.decode(content);
  } catch {
    return undefined;
  }
  const end = text.indexOf('\n\n');
  if (end < 0) return undefined;
  let tree: string | undefined;
  let time: number | undefined;
  const parents: string[] = [];
  for (const line of text.slice(0, end).split('\n')) {
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'committer') time = Number(/ (\d+) [+-]\d{4}$/.exec(value)?.[1]);
  }
  if (tree === undefined || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(tree) || time === undefined || !Number.isFinite(time)) return undefined;
  return { tree, parents, time, message: text.slice(end + 2) };
}
