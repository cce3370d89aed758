import { join, posix, resolve } from 'node:path';
import MiniSearch from 'minisearch';
import { MemoryError, errorCode } from '../errors.js';
import { ATOMIC_TEMP_PATTERN, writeFileAtomic } from '../fs/atomic.js';
import { retrying } from '../fs/retry.js';
import { nodeFs } from '../fs/node.js';
import { lstatIfExists, unlinkIfExists } from '../fs/quiet.js';
import type { FileSystem } from '../fs/types.js';
import { lintIndex, type LintProblem } from './lint.js';
import { FENCE_PATTERN, LockLost, fenceNeeded, withLock, type LockOptions } from './lock.js';
import { processRuntime, type Runtime } from '../runtime.js';
import { parseIndex, removeEntry, topicKey, upsertEntry, type MemoryEntry, type MemorySection, type ParsedIndex } from './parse.js';
import { planSplit, type SplitOptions, type SplitPlan } from './split.js';
import { resolveLink, topicFile } from './topic.js';

/** Options of {@link MemoryIndex.open}. */
export interface MemoryIndexOptions {
  /** The memory directory; must exist. */
  dir: string;
  /** Filesystem adapter. Default: `nodeFs()`. */
  fs?: FileSystem;
  /** The index file's name inside `dir`. Default `'MEMORY.md'`. */
  indexFile?: string;
  /** Line budget of the index, checked by `lint`. Default 200. */
  maxLines?: number;
  /** Longest summary, checked by `lint`. Default 160 characters. */
  maxSummaryLength?: number;
  /** Fsync files and the directory on every write. Default `true`. */
  durable?: boolean;
  /** How the index lock waits and when it counts as stale. */
  lock?: LockOptions;
  /** Age after which `cleanup` deletes temporary files left by killed writers. Default one hour. */
  staleTempMs?: number;
  /** The process it runs in (clock, pid, host, randomness, timers), for deterministic tests. Default: the real process. */
  runtime?: Partial<Runtime>;
}

/** What {@link MemoryIndex.upsert} takes. */
export interface UpsertInput {
  /** Topic name or relative file: `identity`, `identity.md`, `infra/servers`. */
  topic: string;
  /** The `## Section` the entry belongs under; created at the end of the index if missing. */
  section: string;
  /** One line saying what the topic holds and when to read it. */
  summary: string;
  /** Link text. Default: the existing entry's title, else the topic name. */
  title?: string;
  /** New text of the topic file. Omitted: an existing file is kept, a missing one is created with a heading. */
  body?: string;
}

/** One result of {@link MemoryIndex.search}. */
export interface SearchHit {
  readonly file: string;
  readonly title: string;
  readonly summary: string;
  readonly section: string;
  /** Relevance; higher is better. Comparable only within one search. */
  readonly score: number;
}

/** What {@link MemoryIndex.applySplit} wrote. */
export interface SplitResult {
  /** Topic files written, relative to the directory. */
  readonly written: readonly string[];
  /** Where the flat file was kept, when there was one. */
  readonly backup: string | undefined;
}

const FILE_MODE = 0o600;
/** Read-modify-write attempts of the index when the fenced lock says another holder took over. */
const LOCK_ATTEMPTS = 5;
const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * A lean MEMORY.md index of `## Section` headers and one-line entries linking topic files that a
 * session reads only when relevant. Many sessions may update it at once: every write is atomic and
 * every read-modify-write of the index runs under a cross-process lock, on the current file.
 *
 * @example
 * ```ts
 * const memory = await MemoryIndex.open({ dir: `${homedir()}/.claude/memory` });
 * await memory.upsert({ topic: 'infrastructure', section: 'Ops', summary: 'Hosts, ports, deploy steps' });
 * const [best] = await memory.search('deploy');
 * console.log(await memory.read(best.file));
 * ```
 */
export class MemoryIndex {
  /** The memory directory. */
  readonly dir: string;
  /** Full path of the index file. */
  readonly indexPath: string;
  readonly #fs: FileSystem;
  readonly #indexFile: string;
  readonly #maxLines: number;
  readonly #maxSummaryLength: number;
  readonly #durable: boolean;
  readonly #lock: LockOptions;
  readonly #staleTempMs: number;
  readonly #runtime: Runtime;
  #parsed: ParsedIndex;

  private constructor(options: MemoryIndexOptions, fs: FileSystem, text: string) {
    this.dir = resolve(options.dir);
    this.#fs = fs;
    this.#indexFile = options.indexFile ?? 'MEMORY.md';
    this.indexPath = join(this.dir, this.#indexFile);
    this.#maxLines = options.maxLines ?? 200;
    this.#maxSummaryLength = options.maxSummaryLength ?? 160;
    this.#durable = options.durable ?? true;
    this.#lock = options.lock ?? {};
    this.#staleTempMs = options.staleTempMs ?? 3_600_000;
    this.#runtime = { ...processRuntime(), ...options.runtime };
    this.#parsed = parseIndex(text);
  }

  /**
   * Opens the index in `dir`. A missing index file is an empty index (the first `upsert` creates
   * it); a missing directory is an error.
   *
   * @throws MemoryError `NOT_FOUND` (no directory), `INVALID_ENCODING` (index not UTF-8),
   * `INVALID_OPTION`, or `IO`.
   */
  static async open(options: MemoryIndexOptions): Promise<MemoryIndex> {
    if (typeof options !== 'object' || options === null || typeof options.dir !== 'string' || options.dir === '') {
      throw new MemoryError('INVALID_OPTION', 'MemoryIndex.open needs options.dir, a non-empty string');
    }
    if (options.indexFile !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(options.indexFile)) {
      throw new MemoryError('INVALID_OPTION', `indexFile must be a plain file name, got ${JSON.stringify(options.indexFile)}`);
    }
    for (const key of ['maxLines', 'maxSummaryLength'] as const) {
      const value = options[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new MemoryError('INVALID_OPTION', `${key} must be a positive integer, got ${String(value)}`);
      }
    }
    const fs = retrying(options.fs ?? nodeFs());
    const info = await fs.stat(options.dir).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') {
        throw new MemoryError('NOT_FOUND', `memory directory ${options.dir} does not exist`, { cause: error, path: options.dir });
      }
      throw new MemoryError('IO', `cannot open ${options.dir}`, { cause: error, path: options.dir });
    });
    if (info.kind !== 'directory') {
      throw new MemoryError('NOT_FOUND', `${options.dir} is not a directory`, { path: options.dir });
    }
    const index = new MemoryIndex(options, fs, '');
    await index.reload();
    return index;
  }

  /**
   * Plans splitting a flat MEMORY.md into an index and topic files; writes nothing. Apply the plan
   * with {@link MemoryIndex.applySplit}. See `planSplit`.
   */
  static split(flatMarkdown: string, options?: SplitOptions): SplitPlan {
    return planSplit(flatMarkdown, options);
  }

  /**
   * Writes a split plan into `dir`: topic files first, the index last, each atomically, with the
   * old index kept beside it as `<indexFile>.before-split`. Refuses, before writing anything, when
   * a topic file exists, unless `overwrite`.
   *
   * @throws MemoryError `EXISTS`, `NOT_FOUND`, or `IO`.
   */
  static async applySplit(
    plan: SplitPlan,
    options: MemoryIndexOptions & { overwrite?: boolean },
  ): Promise<SplitResult> {
    const index = await MemoryIndex.open(options);
    return index.#io('split', index.dir, async () => {
      if (!options.overwrite) {
        const taken = [];
        for (const topic of plan.topics) if (await index.#exists(index.#topicPath(topic.file))) taken.push(topic.file);
        if (taken.length > 0) {
          throw new MemoryError('EXISTS', `topic files exist: ${taken.join(', ')} (pass overwrite to replace them)`, {
            path: index.dir,
          });
        }
      }
      for (const topic of plan.topics) await index.#writeTopic(topic.file, topic.content);
      let backup: string | undefined;
      await index.#withIndexLock(async (current) => {
        if (current.text !== '') {
          backup = `${index.#indexFile}.before-split`;
          await writeFileAtomic(index.#fs, join(index.dir, backup), encoder.encode(current.text), {
            mode: FILE_MODE,
            durable: index.#durable,
            tag: index.#runtime.uniqueTag(),
          });
        }
        return plan.index;
      });
      return { written: plan.topics.map((topic) => topic.file), backup };
    });
  }

  /** The sections, in file order, each with its entries. */
  get sections(): readonly MemorySection[] {
    return this.#parsed.sections;
  }

  /** Every entry, in file order. */
  get entries(): readonly MemoryEntry[] {
    return this.#parsed.entries;
  }

  /** The index text: byte for byte what was read, plus this instance's own edits. */
  render(): string {
    return this.#parsed.text;
  }

  /** Re-reads the index file, picking up other sessions' changes. */
  async reload(): Promise<void> {
    this.#parsed = parseIndex(await this.#readIndex());
  }

  /**
   * Reads one topic file.
   *
   * @throws MemoryError `INVALID_TOPIC`, `NOT_FOUND`, `INVALID_ENCODING`, or `IO`.
   */
  async read(topic: string): Promise<string> {
    const file = topicFile(topic);
    const path = this.#topicPath(file);
    const text = await this.#readText(path);
    if (text === undefined) throw new MemoryError('NOT_FOUND', `no topic file ${file}`, { path });
    return text;
  }

  /**
   * Ranks topics by relevance to `query` (MiniSearch: prefix and fuzzy matching, title weighted
   * above summary and section). With `bodies`, topic files are read and searched too.
   */
  async search(query: string, options: { limit?: number; bodies?: boolean } = {}): Promise<SearchHit[]> {
    const { limit = 10, bodies = false } = options;
    if (typeof query !== 'string') throw new MemoryError('INVALID_OPTION', 'query must be a string');
    const documents = await Promise.all(
      this.entries.map(async (entry, id) => ({
        id,
        title: entry.title,
        summary: entry.summary,
        section: entry.section,
        body: bodies ? await this.#bodyForSearch(entry.file) : '',
      })),
    );
    const engine = new MiniSearch({ fields: ['title', 'summary', 'section', 'body'], idField: 'id' });
    engine.addAll(documents);
    const seen = new Set<string>();
    const hits: SearchHit[] = [];
    for (const result of engine.search(query, { prefix: true, fuzzy: 0.2, boost: { title: 3, summary: 2, section: 1.5 } })) {
      const entry = this.entries[result.id as number]!;
      if (seen.has(topicKey(entry.file))) continue;
      seen.add(topicKey(entry.file));
      hits.push({ file: entry.file, title: entry.title, summary: entry.summary, section: entry.section, score: result.score });
      if (hits.length >= limit) break;
    }
    return hits;
  }

  /**
   * Creates or updates a topic: its file (when `body` is given, or when it does not exist yet) and
   * its one index line, moved to `section` if it was elsewhere.
   *
   * @throws MemoryError `INVALID_TOPIC`, `INVALID_ENTRY` (a summary or section with a line break),
   * `LOCK_TIMEOUT`, or `IO`. Nothing is half-written on any of them.
   */
  async upsert(input: UpsertInput): Promise<MemoryEntry> {
    if (typeof input !== 'object' || input === null) throw new MemoryError('INVALID_OPTION', 'upsert() takes { topic, section, summary }');
    const file = topicFile(input.topic);
    const section = singleLine('section', input.section, true);
    const summary = singleLine('summary', input.summary, false);
    const givenTitle = input.title === undefined ? undefined : singleLine('title', input.title, true);
    if (input.body !== undefined && typeof input.body !== 'string') throw new MemoryError('INVALID_OPTION', 'body must be a string');
    return this.#io('upsert', this.indexPath, async () => {
      const path = this.#topicPath(file);
      const defaultTitle = givenTitle ?? file.replace(/\.md$/, '').split('/').at(-1)!;
      if (input.body !== undefined) await this.#writeTopic(file, input.body);
      else if (!(await this.#exists(path))) await this.#writeTopic(file, `# ${defaultTitle}\n\n${summary}\n`);
      const parsed = await this.#withIndexLock((current) => {
        const existing = current.entries.find((entry) => topicKey(entry.file) === topicKey(file));
        const title = givenTitle ?? existing?.title ?? defaultTitle;
        return upsertEntry(current, { section, title, file: existing?.file ?? file, summary });
      });
      return parsed.entries.find((entry) => topicKey(entry.file) === topicKey(file))!;
    });
  }

  /**
   * Removes a topic's index line and, unless `keepFile`, its file. Returns whether the index had it.
   */
  async remove(topic: string, options: { keepFile?: boolean } = {}): Promise<boolean> {
    const file = topicFile(topic);
    return this.#io('remove', this.indexPath, async () => {
      let found = false;
      await this.#withIndexLock((current) => {
        found = current.entries.some((entry) => topicKey(entry.file) === topicKey(file));
        return removeEntry(current, file);
      });
      if (!options.keepFile) await unlinkIfExists(this.#fs, this.#topicPath(file));
      return found;
    });
  }

  /**
   * Checks the index: over budget, broken links, links that leave the directory, orphan topic
   * files, summaries that wrap or are too long, duplicate entries. Reads the current file.
   */
  async lint(): Promise<LintProblem[]> {
    await this.reload();
    const topicFiles = await this.#io('lint', this.dir, () => this.#topicFiles());
    return lintIndex(this.#parsed, { maxLines: this.#maxLines, maxSummaryLength: this.#maxSummaryLength, topicFiles });
  }

  /**
   * Deletes what killed writers left behind, once older than `staleTempMs`: temporary files of
   * atomic writes, lock files set aside when a stale lock was broken, and the fences of lock
   * holders that are gone (a fence of a holder still running on this host is kept, whatever its
   * age: it is what stops that holder from publishing). Returns their paths relative to the directory.
   */
  async cleanup(): Promise<string[]> {
    return this.#io('cleanup', this.dir, async () => {
      const cutoff = this.#runtime.now().getTime() - this.#staleTempMs;
      const removed: string[] = [];
      const lockDebris = `${this.#indexFile}.lock.stale-`;
      await this.#walk(async (relative, entry) => {
        if (entry.kind !== 'file') return;
        const fence = FENCE_PATTERN.exec(entry.name);
        if (fence && fence[2] === this.#runtime.host && fenceNeeded(Number(fence[1]), fence[3]!, this.#runtime)) return;
        if (!(fence || ATOMIC_TEMP_PATTERN.test(entry.name) || entry.name.startsWith(lockDebris))) return;
        const path = this.#topicPath(relative);
        const info = await lstatIfExists(this.#fs, path);
        if (info === undefined || info.mtimeMs > cutoff) return;
        if (await unlinkIfExists(this.#fs, path)) removed.push(relative);
      });
      return removed.sort();
    });
  }

  /** Calls `visit` for every entry under the directory (hidden ones included), depth-first. */
  async #walk(visit: (relative: string, entry: { name: string; kind: string }) => Promise<void>): Promise<void> {
    const walk = async (relative: string, depth: number): Promise<void> => {
      for (const entry of await this.#fs.readdir(relative === '' ? this.dir : this.#topicPath(relative))) {
        const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.kind === 'directory' && depth < 8) await walk(path, depth + 1);
        else await visit(path, entry);
      }
    };
    await walk('', 0);
  }

  /** Relative paths of every `.md` file under the directory but the index, skipping hidden names. */
  async #topicFiles(): Promise<string[]> {
    const files: string[] = [];
    await this.#walk(async (relative, entry) => {
      const hidden = relative.split('/').some((segment) => segment.startsWith('.'));
      if (!hidden && entry.kind === 'file' && entry.name.endsWith('.md') && relative !== this.#indexFile) files.push(relative);
    });
    return files.sort();
  }

  /**
   * Read-modify-write of the index under the fenced lock: `edit` gets the file as it is now (not as
   * this instance last saw it), and its result is published only if the lock is still ours at that
   * instant. When another session took the lock meanwhile, the edit starts over on what it wrote.
   */
  async #withIndexLock(edit: (current: ParsedIndex) => string | Promise<string>): Promise<ParsedIndex> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withLock(this.#fs, this.indexPath, this.#lock, this.#runtime, async (lock) => {
          const current = parseIndex(await this.#readIndex());
          const text = await edit(current);
          if (text !== current.text) await lock.publish(encoder.encode(text), { mode: FILE_MODE, durable: this.#durable });
          this.#parsed = text === current.text ? current : parseIndex(text);
          return this.#parsed;
        });
      } catch (error) {
        if (!(error instanceof LockLost)) throw error;
        if (attempt >= LOCK_ATTEMPTS) {
          throw new MemoryError('LOCK_TIMEOUT', `${this.indexPath}: the lock was taken over ${attempt} times in a row`, { path: this.indexPath });
        }
      }
    }
  }

  async #readIndex(): Promise<string> {
    return (await this.#readText(this.indexPath)) ?? '';
  }

  /** A file's text, `undefined` when missing; `INVALID_ENCODING` when not UTF-8. */
  async #readText(path: string): Promise<string | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.#fs.readFile(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw new MemoryError('IO', `cannot read ${path} (${errorCode(error) ?? 'UNKNOWN'})`, { cause: error, path });
    }
    try {
      return decoder.decode(bytes);
    } catch (error) {
      throw new MemoryError('INVALID_ENCODING', `${path} is not valid UTF-8`, { cause: error, path });
    }
  }

  async #bodyForSearch(file: string): Promise<string> {
    const target = resolveLink(file);
    if (target.kind !== 'topic') return '';
    try {
      return (await this.#readText(this.#topicPath(topicFile(target.file)))) ?? '';
    } catch {
      return '';
    }
  }

  async #writeTopic(file: string, text: string): Promise<void> {
    const path = this.#topicPath(file);
    if (file.includes('/')) await this.#fs.mkdir(join(this.dir, posix.dirname(file)), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.#fs, path, encoder.encode(text), { mode: FILE_MODE, durable: this.#durable, tag: this.#runtime.uniqueTag() });
  }

  #topicPath(file: string): string {
    return join(this.dir, ...file.split('/'));
  }

  async #exists(path: string): Promise<boolean> {
    return (await lstatIfExists(this.#fs, path)) !== undefined;
  }

  async #io<T>(action: string, path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof MemoryError) throw error;
      throw new MemoryError('IO', `${action} failed (${errorCode(error) ?? 'UNKNOWN'}) at ${path}`, { cause: error, path });
    }
  }
}

function singleLine(field: string, value: unknown, required: boolean): string {
  if (typeof value !== 'string') throw new MemoryError('INVALID_ENTRY', `${field} must be a string`);
  if (/[\r\n]/.test(value)) throw new MemoryError('INVALID_ENTRY', `${field} must be one line`);
  const trimmed = value.trim();
  if (required && trimmed === '') throw new MemoryError('INVALID_ENTRY', `${field} must not be empty`);
  return trimmed;
}
