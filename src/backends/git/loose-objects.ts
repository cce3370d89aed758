import { randomBytes } from 'node:crypto';
import { access, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { errorCode } from '../../errors.js';
import { idLength, objectHeader, objectId, type GitObject, type ObjectFormat, type ObjectType } from './objects.js';
import type { ObjectStore } from './remote.js';
import { runGit } from './run-git.js';

/**
 * The private object database of the git store, on disk: git's loose-object format, written and
 * read here without starting git. The store's fetches explode what they receive into loose objects
 * too (see `git-remote.ts`), so reading needs git (`cat-file --batch`) only for an object someone
 * packed; writing never does.
 */
export class LooseObjects implements ObjectStore {
  readonly format: ObjectFormat;
  /** The `objects` directory. */
  readonly dir: string;
  readonly #git: string;
  readonly #gitDir: string;
  readonly #timeoutMs: number;
  readonly #idPattern: RegExp;

  constructor(options: { gitDir: string; format: ObjectFormat; git: string; timeoutMs: number }) {
    this.format = options.format;
    this.#gitDir = options.gitDir;
    this.dir = join(options.gitDir, 'objects');
    this.#git = options.git;
    this.#timeoutMs = options.timeoutMs;
    this.#idPattern = new RegExp(`^[0-9a-f]{${idLength(options.format)}}$`);
  }

  /** Where a loose object lives. */
  path(id: string): string {
    return join(this.dir, id.slice(0, 2), id.slice(2));
  }

  async write(object: GitObject): Promise<string> {
    const id = objectId(this.format, object);
    const path = this.path(id);
    const compressed = deflateSync(Buffer.concat([objectHeader(object), object.content]));
    const temp = join(this.dir, id.slice(0, 2), `tmp_obj_${process.pid}_${randomBytes(6).toString('hex')}`);
    await mkdir(join(this.dir, id.slice(0, 2)), { recursive: true });
    await writeFile(temp, compressed, { mode: 0o444, flag: 'wx' });
    try {
      // Content-addressed: an object already there under this id is this very object.
      await link(temp, path);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    return id;
  }

  async read(ids: readonly string[]): Promise<Map<string, GitObject>> {
    const found = new Map<string, GitObject>();
    const packed: string[] = [];
    for (const id of new Set(ids)) {
      if (!this.#idPattern.test(id)) continue;
      let compressed: Buffer;
      try {
        compressed = await readFile(this.path(id));
      } catch (error) {
        if (errorCode(error) === 'ENOENT') packed.push(id);
        continue;
      }
      const object = parseLoose(compressed);
      if (object) found.set(id, object);
    }
    if (packed.length > 0) for (const [id, object] of await this.#readPacked(packed)) found.set(id, object);
    return found;
  }

  /** Whether the object is here as a loose object (what a fetch can be told it already has). */
  async hasLoose(id: string): Promise<boolean> {
    return access(this.path(id)).then(
      () => true,
      () => false,
    );
  }

  /** Objects not loose: asks `git cat-file --batch`, which reads packs too. */
  async #readPacked(ids: readonly string[]): Promise<Map<string, GitObject>> {
    const found = new Map<string, GitObject>();
    const outcome = await runGit({
      git: this.#git,
      args: ['cat-file', '--batch'],
      env: { GIT_DIR: this.#gitDir },
      timeoutMs: this.#timeoutMs,
      input: Buffer.from(`${ids.join('\n')}\n`, 'ascii'),
    }).catch(() => undefined);
    if (!outcome || outcome.code !== 0) return found;
    const out = outcome.stdout;
    let at = 0;
    while (at < out.length) {
      const end = out.indexOf(0x0a, at);
      if (end < 0) break;
      const [id, type, size] = out.toString('ascii', at, end).split(' ');
      at = end + 1;
      if (type === 'missing' || size === undefined) continue;
      const length = Number(size);
      if (isObjectType(type)) found.set(id!, { type, content: Uint8Array.from(out.subarray(at, at + length)) });
      at += length + 1;
    }
    return found;
  }
}

/** A loose object's bytes taken apart, or `undefined` when they are damaged. */
function parseLoose(compressed: Buffer): GitObject | undefined {
  let raw: Buffer;
  try {
    raw = inflateSync(compressed);
  } catch {
    return undefined;
  }
  const nul = raw.indexOf(0);
  if (nul < 0) return undefined;
  const [type, size] = raw.toString('ascii', 0, nul).split(' ');
  const content = raw.subarray(nul + 1);
  if (!isObjectType(type) || Number(size) !== content.length) return undefined;
  return { type, content };
}

function isObjectType(type: string | undefined): type is ObjectType {
  return type === 'blob' || type === 'tree' || type === 'commit';
}
