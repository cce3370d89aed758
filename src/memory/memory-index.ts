import { join, posix, resolve } from 'node:path';
import MiniSearch from 'minisearch';
import { MemoryError, errorCode } from '../errors.js';
import { ATOMIC_TEMP_PATTERN, writeFileAtomic } from '../fs/atomic.js';
import { retrying } from '../fs/retry.js';
import { nodeFs } from '../fs/node.js';
import { lstatIfExists, unlinkIfExists } from '../fs/quiet.js';
import type { FileSystem } from '../fs/types.js';
import { claudeMemoryDir, type ClaudeDirOptions } from '../claude/memory-location.js';
import { isMemoryType, parseTopic, setTopicFrontMatter, topicName, type MemoryType, type TopicFrontMatter } from './front-matter.js';
import { CLAUDE_INDEX_LIMITS, lintIndex, type LintProblem } from './lint.js';
import { FENCE_PATTERN, LockLost, fenceNeeded, withLock, type LockOptions } from './lock.js';
import { processRuntime, type Runtime } from '../runtime.js';
import { parseIndex, removeEntry, topicKey, upsertEntry, type MemoryEntry, type MemorySection, type ParsedIndex } from './parse.js';
import { defaultSection, planRepair, type RemovedLine, type RepairPlan, type RepairTopic, type RestoredLine } from './repair.js';
import { planSplit, type SplitOptions, type SplitPlan } from './split.js';
import { resolveLink, topicFile } from './topic.js';

/** Options of {@link MemoryIndex.open}. */
export interface MemoryIndexOptions {
  /** The memory directory. */
  dir: string;
  /**
   * Treat a missing `dir` as an empty index and create it (mode 0700, with its parents) on the
   * first write. Default `false`: a missing directory is `NOT_FOUND`.
   */
  createDir?: boolean;
  /** Filesystem adapter. Default: `nodeFs()`. */
  fs?: FileSystem;
  /** The index file's name inside `dir`. Default `'MEMORY.md'`. */
  indexFile?: string;
  /** Most lines of the index, checked by `lint`. Default 200, the lines Claude Code loads. */
  maxLines?: number;
  /** Longest index in characters, checked by `lint`. Default 25 000, what Claude Code loads. */
  maxIndexChars?: number;
  /** Longest entry line, checked by `lint`. Default 200 characters, Claude Code's guidance. */
  maxEntryLength?: number;
  /** Fsync files and the directory on every write. Default `true`. */
  durable?: boolean;
  /** How the index lock waits and when it counts as stale. */
  lock?: LockOptions;
  /** Age after which `cleanup` deletes temporary files left by killed writers. Default one hour. */
  staleTempMs?: number;
  /** The process it runs in (clock, pid, host, randomness, timers), for deterministic tests. Default: the real process. */
  runtime?: Partial<Runtime>;
}

/** Options of {@link MemoryIndex.openClaude}: where the session runs, and the index's own options. */
export interface OpenClaudeOptions extends ClaudeDirOptions, Omit<MemoryIndexOptions, 'dir' | 'createDir'> {
  /** The session's working directory. Default `process.cwd()`. */
  cwd?: string;
}

/** What {@link MemoryIndex.upsert} takes. Give a `summary`, a `description`, or both. */
export interface UpsertInput {
  /** Topic name or relative file: `identity`, `identity.md`, `infra/servers`. */
  topic: string;
  /**
   * The `## Section` the entry belongs under; created at the end of the index if missing.
   * Default: the entry's current section, else the one named after its type (`Project`).
   */
  section?: string;
  /** The index line's text after the link. Default: `description`. */
  summary?: string;
  /**
   * The topic's front-matter `description`: one line saying what it holds and when to read it
   * (Claude Code decides relevance by it). Default: `summary`.
   */
  description?: string;
  /** The topic's front-matter `type`. Default: its current type, else `'project'`. */
  type?: MemoryType;
  /** Link text. Default: the existing entry's title, else the topic name. */
  title?: string;
  /**
   * New text of the topic file. Omitted: an existing file is kept, a missing one is created with a
   * heading. Either way its front matter is set to `name`, `description` and `type`; nothing else in
   * it changes.
   */
  body?: string;
}

/** One result of {@link MemoryIndex.search}. */
export interface SearchHit {
  readonly file: string;
  readonly title: string;
  readonly summary: string;
  readonly section: string;
  /** The topic's front-matter `description`, when it has one. */
  readonly description: string | undefined;
  /** Relevance; higher is better. Comparable only within one search. */
  readonly score: number;
}

/** One topic file, as {@link MemoryIndex.topics} reads it. */
export interface TopicInfo {
  /** Relative path, e.g. `deploy.md`. */
  readonly file: string;
  /** Its front matter; `undefined` when it has none or cannot be read. */
  readonly frontMatter: TopicFrontMatter | undefined;
  /** The first `# Heading` of its body. */
  readonly heading: string | undefined;
  /** Whether the index links it. */
  readonly linked: boolean;
  /** Why it could not be read (`ELOOP` for a symbolic link, `INVALID_ENCODING`, …), when it could not. */
  readonly unreadable?: string;
}

/** What {@link MemoryIndex.repair} changed (or, with `dryRun`, would change). */
export interface RepairResult {
  /** Lines put back for topic files the index did not link, with their line in the repaired index. */
  readonly restored: readonly RestoredLine[];
  /** Later lines that linked a topic an earlier line links, with their line before the repair. */
  readonly removed: readonly RemovedLine[];
  /** Whether the index file was written: false when there was nothing to do, or on a dry run. */
  readonly written: boolean;
  readonly dryRun: boolean;
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
 * const memory = await MemoryIndex.openClaude({ cwd: process.cwd() }); // the memory Claude Code loads here
 * await memory.upsert({ topic: 'infrastructure', description: 'Hosts, ports, deploy steps', type: 'reference' });
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
  readonly #createDir: boolean;
  readonly #limits: { maxLines: number; maxIndexChars: number; maxEntryLength: number };
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
    this.#createDir = options.createDir ?? false;
    this.#limits = {
      maxLines: options.maxLines ?? CLAUDE_INDEX_LIMITS.maxLines,
      maxIndexChars: options.maxIndexChars ?? CLAUDE_INDEX_LIMITS.maxIndexChars,
      maxEntryLength: options.maxEntryLength ?? CLAUDE_INDEX_LIMITS.maxEntryLength,
    };
    this.#durable = options.durable ?? true;
    this.#lock = options.lock ?? {};
    this.#staleTempMs = options.staleTempMs ?? 3_600_000;
    this.#runtime = { ...processRuntime(), ...options.runtime };
    this.#parsed = parseIndex(text);
  }

  /**
   * Opens the index in `dir`. A missing index file is an empty index (the first `upsert` creates
   * it); a missing directory is an error unless `createDir`.
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
    for (const key of ['maxLines', 'maxIndexChars', 'maxEntryLength'] as const) {
      const value = options[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new MemoryError('INVALID_OPTION', `${key} must be a positive integer, got ${String(value)}`);
      }
    }
    const fs = retrying(options.fs ?? nodeFs());
    const info = await fs.stat(options.dir).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') {
        if (options.createDir) return undefined;
        throw new MemoryError('NOT_FOUND', `memory directory ${options.dir} does not exist`, { cause: error, path: options.dir });
      }
      throw new MemoryError('IO', `cannot open ${options.dir}`, { cause: error, path: options.dir });
    });
    if (info !== undefined && info.kind !== 'directory') {
      throw new MemoryError('NOT_FOUND', `${options.dir} is not a directory`, { path: options.dir });
    }
    const index = new MemoryIndex(options, fs, '');
    await index.reload();
    return index;
  }

  /**
   * Opens the auto memory Claude Code loads for a session in `cwd` (see `claudeMemoryDir`: the
   * project's folder under `~/.claude/projects/`, named after its git root). The folder need not
   * exist: it is created on the first write.
   *
   * @throws MemoryError as {@link MemoryIndex.open}.
   */
  static async openClaude(options: OpenClaudeOptions = {}): Promise<MemoryIndex> {
    const { cwd = process.cwd(), home, configDir, env, ...indexOptions } = options;
    const location = await claudeMemoryDir(cwd, { home, configDir, env });
    return MemoryIndex.open({ ...indexOptions, dir: location.dir, createDir: true });
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
      await index.#ensureDir();
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
    await this.#insideOnly(file);
    const text = await this.#readText(path);
    if (text === undefined) throw new MemoryError('NOT_FOUND', `no topic file ${file}`, { path });
    return text;
  }

  /**
   * Ranks topics by relevance to `query` (MiniSearch: prefix and fuzzy matching, title weighted
   * above the topic's front-matter description and the index summary, then section). With
   * `bodies`, topic files are searched in full too.
   */
  async search(query: string, options: { limit?: number; bodies?: boolean } = {}): Promise<SearchHit[]> {
    const { limit = 10, bodies = false } = options;
    if (typeof query !== 'string') throw new MemoryError('INVALID_OPTION', 'query must be a string');
    const documents = await Promise.all(
      this.entries.map(async (entry, id) => {
        const text = await this.#textForSearch(entry.file);
        const parsed = text === undefined ? undefined : parseTopic(text);
        return {
          id,
          title: entry.title,
          summary: entry.summary,
          description: parsed?.frontMatter?.description ?? '',
          section: entry.section,
          body: bodies && parsed ? parsed.body : '',
        };
      }),
    );
    const engine = new MiniSearch({ fields: ['title', 'description', 'summary', 'section', 'body'], idField: 'id', storeFields: ['description'] });
    engine.addAll(documents);
    const seen = new Set<string>();
    const hits: SearchHit[] = [];
    const boost = { title: 3, description: 2, summary: 2, section: 1.5 };
    for (const result of engine.search(query, { prefix: true, fuzzy: 0.2, boost })) {
      const entry = this.entries[result.id as number]!;
      if (seen.has(topicKey(entry.file))) continue;
      seen.add(topicKey(entry.file));
      const description = (result.description as string) || undefined;
      hits.push({ file: entry.file, title: entry.title, summary: entry.summary, section: entry.section, description, score: result.score });
      if (hits.length >= limit) break;
    }
    return hits;
  }

  /**
   * Creates or updates a topic: its file (when `body` is given, or when it does not exist yet, or
   * when its front matter changes) and its one index line, moved to `section` if it was elsewhere.
   *
   * @throws MemoryError `INVALID_TOPIC`, `INVALID_ENTRY` (no summary or description, a line break in
   * one, a type Claude Code does not know), `INVALID_ENCODING` (an existing topic file that is not
   * UTF-8), `LOCK_TIMEOUT`, or `IO`. Nothing is half-written on any of them.
   */
  async upsert(input: UpsertInput): Promise<MemoryEntry> {
    if (typeof input !== 'object' || input === null) throw new MemoryError('INVALID_OPTION', 'upsert() takes { topic, description }');
    const file = topicFile(input.topic);
    const givenSection = input.section === undefined ? undefined : singleLine('section', input.section, true);
    const givenSummary = input.summary === undefined ? undefined : singleLine('summary', input.summary, false);
    const givenDescription = input.description === undefined ? undefined : singleLine('description', input.description, false);
    const description = givenDescription ?? givenSummary;
    const summary = givenSummary ?? givenDescription;
    if (description === undefined || summary === undefined || (description === '' && summary === '')) {
      throw new MemoryError('INVALID_ENTRY', 'upsert() needs a summary or a description');
    }
    if (input.type !== undefined && !isMemoryType(input.type)) {
      throw new MemoryError('INVALID_ENTRY', `type must be user, feedback, project or reference, got ${JSON.stringify(input.type)}`);
    }
    const givenTitle = input.title === undefined ? undefined : singleLine('title', input.title, true);
    if (input.body !== undefined && typeof input.body !== 'string') throw new MemoryError('INVALID_OPTION', 'body must be a string');
    return this.#io('upsert', this.indexPath, async () => {
      await this.#ensureDir();
      await this.#insideOnly(file);
      const defaultTitle = givenTitle ?? file.replace(/\.md$/, '').split('/').at(-1)!;
      const existingText = input.body === undefined ? await this.#readText(this.#topicPath(file)) : undefined;
      const base = input.body ?? existingText ?? `# ${defaultTitle}\n\n${description}\n`;
      const { frontMatter } = parseTopic(base);
      const type = input.type ?? (isMemoryType(frontMatter?.type) ? frontMatter.type : 'project');
      const topicText = setTopicFrontMatter(base, { name: frontMatter?.name || topicName(file), description, type });
      if (topicText !== existingText) await this.#writeTopic(file, topicText);
      const parsed = await this.#withIndexLock((current) => {
        const existing = current.entries.find((entry) => topicKey(entry.file) === topicKey(file));
        const title = givenTitle ?? existing?.title ?? defaultTitle;
        const section = givenSection ?? existing?.section ?? defaultSection(type);
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
      if (!(await this.#exists(this.dir))) return false;
      let found = false;
      await this.#withIndexLock((current) => {
        found = current.entries.some((entry) => topicKey(entry.file) === topicKey(file));
        return removeEntry(current, file);
      });
      if (!options.keepFile) {
        await this.#insideOnly(file);
        await unlinkIfExists(this.#fs, this.#topicPath(file));
      }
      return found;
    });
  }

  /**
   * Checks the index against Claude Code's load limits and the files beside it: over 200 lines or
   * 25 000 characters, entries over 200 characters or wrapping, broken links, links that leave the
   * directory, duplicate entries, orphan topic files, topics without front matter. Reads the
   * current files.
   */
  async lint(): Promise<LintProblem[]> {
    const topics = await this.topics(); // re-reads the index too
    return lintIndex(this.#parsed, {
      ...this.#limits,
      topicFiles: topics.map((topic) => topic.file),
      topics: topics.filter((topic) => topic.unreadable === undefined),
    });
  }

  /**
   * Every topic file in the directory (`.md` files but the index, hidden names skipped), with its
   * front matter and whether the index links it. Reads the current files.
   */
  async topics(): Promise<TopicInfo[]> {
    await this.reload();
    const linked = new Set<string>();
    for (const entry of this.entries) {
      const target = resolveLink(entry.file);
      if (target.kind === 'topic') linked.add(topicKey(target.file));
    }
    return this.#io('topics', this.dir, async () =>
      Promise.all(
        (await this.#topicFiles()).map(async (file): Promise<TopicInfo> => {
          const base = { file, linked: linked.has(topicKey(file)) };
          try {
            const text = (await this.#readText(this.#topicPath(file))) ?? '';
            const { frontMatter, heading } = parseTopic(text);
            return { ...base, frontMatter, heading };
          } catch (error) {
            const reason = error instanceof MemoryError && error.code === 'INVALID_ENCODING' ? error.code : (errorCode(error instanceof Error ? error.cause : error) ?? 'IO');
            return { ...base, frontMatter: undefined, heading: undefined, unreadable: reason };
          }
        }),
      ),
    );
  }

  /**
   * Heals an index that parallel rewrites clobbered: puts back a line for every topic file the
   * index does not link (title from its first heading, else its `name`; text from its
   * `description`; under the section of its `type`, e.g. `## Project`, else `## Recovered`), and
   * removes later lines linking a topic an earlier line links. Never deletes or rewrites a topic
   * file. Runs under the index lock on the current file; a second run changes nothing. With
   * `dryRun`, reports what it would do and writes nothing.
   *
   * @throws MemoryError `LOCK_TIMEOUT`, `INVALID_ENCODING` (an index that is not UTF-8), or `IO`.
   */
  async repair(options: { dryRun?: boolean } = {}): Promise<RepairResult> {
    const dryRun = options.dryRun === true;
    return this.#io('repair', this.indexPath, async () => {
      if (!(await this.#exists(this.dir))) return { restored: [], removed: [], written: false, dryRun };
      if (dryRun) {
        await this.reload();
        const plan = planRepair(this.#parsed, await this.#repairTopics());
        return { restored: plan.restored, removed: plan.removed, written: false, dryRun };
      }
      // Topic files are listed inside the lock, so a line an `upsert` is about to add is either
      // already in the index or restored here and then updated in place by that upsert.
      let plan: RepairPlan | undefined;
      let before = '';
      await this.#withIndexLock(async (current) => {
        before = current.text;
        plan = planRepair(current, await this.#repairTopics());
        return plan.text;
      });
      return { restored: plan!.restored, removed: plan!.removed, written: plan!.text !== before, dryRun };
    });
  }

  /** What repair needs of each topic file; one it cannot read still gets a line, named after its file. */
  async #repairTopics(): Promise<RepairTopic[]> {
    const topics: RepairTopic[] = [];
    for (const file of await this.#topicFiles()) {
      let parsed: ReturnType<typeof parseTopic> | undefined;
      try {
        const text = await this.#readText(this.#topicPath(file));
        parsed = text === undefined ? undefined : parseTopic(text);
      } catch {
        parsed = undefined;
      }
      const frontMatter = parsed?.frontMatter;
      topics.push({
        file,
        title: parsed?.heading ?? frontMatter?.name ?? file.replace(/\.md$/, '').split('/').at(-1)!,
        description: frontMatter?.description || undefined,
        type: isMemoryType(frontMatter?.type) ? frontMatter.type : undefined,
      });
    }
    return topics;
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
    if (this.#createDir && !(await this.#exists(this.dir))) return [];
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

  /** A linked topic's text for search; `undefined` for a link that is not a readable topic file. */
  async #textForSearch(file: string): Promise<string | undefined> {
    const target = resolveLink(file);
    if (target.kind !== 'topic') return undefined;
    try {
      const topic = topicFile(target.file);
      await this.#insideOnly(topic);
      return await this.#readText(this.#topicPath(topic));
    } catch {
      return undefined;
    }
  }

  /** Creates the directory when `createDir` allows it; the lock and every file need it to exist. */
  async #ensureDir(): Promise<void> {
    if (this.#createDir) await this.#fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async #writeTopic(file: string, text: string): Promise<void> {
    const path = this.#topicPath(file);
    if (file.includes('/')) {
      await this.#insideOnly(file);
      await this.#fs.mkdir(join(this.dir, posix.dirname(file)), { recursive: true, mode: 0o700 });
      await this.#insideOnly(file);
    }
    await writeFileAtomic(this.#fs, path, encoder.encode(text), { mode: FILE_MODE, durable: this.#durable, tag: this.#runtime.uniqueTag() });
  }

  /**
   * Refuses a nested topic whose folders are not real folders inside the memory directory: a
   * symbolic link to a folder would carry reads and writes outside it. Missing folders are fine
   * (a write creates them).
   *
   * @throws MemoryError `INVALID_TOPIC`.
   */
  async #insideOnly(file: string): Promise<void> {
    const segments = file.split('/').slice(0, -1);
    for (let depth = 1; depth <= segments.length; depth++) {
      const info = await lstatIfExists(this.#fs, join(this.dir, ...segments.slice(0, depth)));
      if (info === undefined) return;
      if (info.kind !== 'directory') {
        throw new MemoryError('INVALID_TOPIC', `topic ${file} goes through ${segments.slice(0, depth).join('/')}, which is not a folder inside the memory directory`, {
          path: join(this.dir, ...segments.slice(0, depth)),
        });
      }
    }
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
