import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { mapLimit } from '../../concurrency.js';
import { errorCode } from '../../errors.js';
import { encodePack, idLength, objectHeader, objectId, type GitObject, type ObjectFormat, type ObjectType } from './objects.js';
import type { ObjectStore } from './remote.js';
import { runGit } from './run-git.js';

/**
 * The private object database of the git store, on disk. Objects the store writes are loose,
 * written here without starting git; a fetch keeps what it receives as git decides (loose for a
 * few objects, a pack for many: exploding a thousand handoffs into loose files costs seconds).
 * Reading tries loose objects first and asks one `git cat-file --batch` for all the others.
 */
export class LooseObjects implements ObjectStore {
  readonly format: ObjectFormat;
  /** The `objects` directory. */
  readonly dir: string;
  readonly #git: string;
  readonly #gitDir: string;
  readonly #timeoutMs: number;
  readonly #idPattern: RegExp;
  readonly #fanout = new Set<string>();

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
    const fanout = join(this.dir, id.slice(0, 2));
    if (!this.#fanout.has(fanout)) {
      await mkdir(fanout, { recursive: true });
      this.#fanout.add(fanout);
    }
    const temp = join(fanout, `tmp_obj_${process.pid}_${randomBytes(6).toString('hex')}`);
    await writeFile(temp, deflateSync(Buffer.concat([objectHeader(object), object.content])), { mode: 0o444, flag: 'wx' });
    try {
      // Content-addressed: replacing an object by the same object changes nothing, and a reader
      // sees the whole file or the old whole file, never part of one.
      await rename(temp, this.path(id));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    return id;
  }

  /** Writes a few objects loose, more as one pack through `git index-pack --stdin`. */
  async writeMany(objects: readonly GitObject[]): Promise<void> {
    if (objects.length <= 8) {
      for (const object of objects) await this.write(object);
      return;
    }
    const outcome = await runGit({
      git: this.#git,
      args: ['index-pack', '--stdin'],
      env: { GIT_DIR: this.#gitDir },
      timeoutMs: this.#timeoutMs,
      input: encodePack(this.format, objects, (bytes) => deflateSync(bytes)),
    });
    if (outcome.code !== 0) throw Object.assign(new Error(`git index-pack failed: ${outcome.stderr.trim().split('\n').pop()}`), { code: 'EIO' });
  }

  async read(ids: readonly string[]): Promise<Map<string, GitObject>> {
    const found = new Map<string, GitObject>();
    const packed: string[] = [];
    await mapLimit([...new Set(ids)].filter((id) => this.#idPattern.test(id)), 32, async (id) => {
      let compressed: Buffer;
      try {
        compressed = await readFile(this.path(id));
      } catch (error) {
        if (errorCode(error) === 'ENOENT') packed.push(id);
        return;
      }
      const object = parseLoose(compressed);
      if (object) found.set(id, object);
    });
    if (packed.length > 0) for (const [id, object] of await this.#readPacked(packed)) found.set(id, object);
    return found;
  }

  /** The ids of these that are not here, loose or packed. */
  async missing(ids: readonly string[]): Promise<string[]> {
    const notLoose: string[] = [];
    await mapLimit(ids, 32, async (id) => {
      const loose = await access(this.path(id)).then(
        () => true,
        () => false,
      );
      if (!loose) notLoose.push(id);
    });
    if (notLoose.length === 0) return [];
    const outcome = await runGit({
      git: this.#git,
      args: ['cat-file', '--batch-check'],
      env: { GIT_DIR: this.#gitDir },
      timeoutMs: this.#timeoutMs,
      input: Buffer.from(`${notLoose.join('\n')}\n`, 'ascii'),
    });
    if (outcome.code !== 0) return notLoose;
    return outcome.stdout
      .toString('ascii')
      .split('\n')
      .filter((line) => line.endsWith(' missing'))
      .map((line) => line.split(' ')[0]!);
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
