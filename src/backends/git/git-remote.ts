import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LooseObjects } from './loose-objects.js';
import type { ObjectFormat } from './objects.js';
import { scratchRepository, sweepScratch } from './private-repository.js';
import { RemoteError, type RefOutcome, type RefUpdate, type RefUpdateResult, type Remote } from './remote.js';
import { runGit, type GitOutcome } from './run-git.js';

/**
 * A remote reached through the user's `git`, over any transport git speaks (`file://`, `git://`,
 * SSH, smart HTTP). The exact commands, one per round trip:
 *
 * - list: `git fetch --no-tags --no-write-fetch-head <url> +<ns>/*:refs/h/*` in a scratch
 *   repository sharing the store's objects. Protocol v2 sends `ref-prefix <ns>/`, so only the
 *   namespace is listed however many branches the repository has, and the objects of refs that
 *   changed come in the same round trip: `fetch` is then free. Refs already seen are given to the
 *   scratch repository as local refs, so their objects are not sent again.
 * - fetch: `git fetch --no-write-fetch-head <url> <id>...` into the store's repository, only for ids
 *   not here (normally none).
 * - push: `git push --porcelain --no-verify <url> --force-with-lease=<ref>:<expect> <value>:<ref> …`,
 *   never `--force` and never `+`: a lease that fails must not be overridden. An empty `<expect>`
 *   requires the ref not to exist; an empty `<value>` deletes. Each ref is its own transaction on
 *   the remote (`receive-pack` checks the old value under the ref's lock), and `--porcelain` gives
 *   each ref's result.
 */

/** Options of {@link GitRemote}. */
export interface GitRemoteOptions {
  readonly git: string;
  readonly fetchUrl: string;
  readonly pushUrl: string;
  /** For messages: the remote's name or URL without credentials. */
  readonly location: string;
  readonly namespace: string;
  /** The store's private bare repository. */
  readonly gitDir: string;
  readonly format: ObjectFormat;
  /** The user repository's own configuration that reaching the remote needs (credentials, HTTP, SSH, URL rewrites). */
  readonly config: ReadonlyArray<readonly [string, string]>;
  readonly timeoutMs: number;
  /** Told about refs of the namespace that cannot be fetched (pointing at objects the remote lacks). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Configuration of every git the store runs. No hooks (the user's pre-push hook must not run for a
 * handoff), no automatic gc or maintenance (it would prune the store's unreferenced objects), and no
 * negotiation (the store's objects hang off no local refs; the wanted ones are small).
 */
const STORE_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  ['fetch.writeCommitGraph', 'false'],
  ['fetch.negotiationAlgorithm', 'noop'],
  ['fetch.recurseSubmodules', 'false'],
  ['fetch.showForcedUpdates', 'false'],
  ['push.recurseSubmodules', 'no'],
  ['push.gpgSign', 'false'],
  ['credential.interactive', 'false'],
];

/** Messages git prints when it never reached the remote: no update can have applied. */
const NOT_REACHED =
  /unable to connect|unable to access|does not appear to be a git repository|could not read from remote repository|could not resolve host|connection refused|couldn't connect to server|failed to connect|no route to host|network is unreachable|authentication failed|permission denied|repository '[^']*' not found|access denied/i;
/** Messages that mean the conversation was cut after it started: a push may have applied. */
const CUT_SHORT = /hung up unexpectedly|rpc failed|unexpected disconnect|early eof|broken pipe|connection reset|sideband|remote failed to report|unpack/i;
/**
 * Updates per push: two arguments each (about 200 bytes), so 4 000 stay far below Linux's 2 MB
 * argument limit; a start claiming more than that makes one more push per 4 000.
 */
const PUSH_BATCH = 4_000;

/** A remote through git. */
export class GitRemote implements Remote {
  readonly location: string;
  readonly namespace: string;
  readonly objects: LooseObjects;
  readonly #options: GitRemoteOptions;
  readonly #config: ReadonlyArray<readonly [string, string]>;
  #roundTrips = 0;
  #swept = false;
  /** Ids the last `list` brought or found here: `fetch` of them costs nothing. */
  #present = new Set<string>();
  readonly #warned = new Set<string>();

  constructor(options: GitRemoteOptions) {
    this.#options = options;
    this.location = options.location;
    this.namespace = options.namespace;
    this.objects = new LooseObjects({ gitDir: options.gitDir, format: options.format, git: options.git, timeoutMs: options.timeoutMs });
    // The store's settings come last: they override anything forwarded.
    this.#config = [...options.config, ...STORE_CONFIG];
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  async list(): Promise<Map<string, string>> {
    const { gitDir, format, fetchUrl, namespace, timeoutMs } = this.#options;
    if (!this.#swept) {
      this.#swept = true;
      await sweepScratch(gitDir, 3_600_000);
    }
    let known = await this.#known();
    let scratch = await scratchRepository(gitDir, format, known);
    try {
      // A ref pointing at an object the remote lacks fails the whole fetch ("not our ref"). Such
      // refs are found by their ids and left out with negative refspecs, so one damaged ref never
      // takes the store offline; it costs a listing of the repository's refs, only then.
      const broken = new Set<string>();
      let listed: Map<string, string> | undefined;
      for (let attempt = 0; ; attempt++) {
        this.#roundTrips++;
        const outcome = await this.#git(
          ['fetch', '--no-tags', '--no-write-fetch-head', '--quiet', fetchUrl, `+${namespace}/*:refs/h/*`, ...[...broken].map((ref) => `^${ref}`)],
          { GIT_DIR: scratch.dir, GIT_OBJECT_DIRECTORY: this.objects.dir },
        );
        if (outcome.code === 0) break;
        // A remembered id whose object is not here after all (the store's directory was pruned by
        // hand): list again without remembering anything.
        if (known.length > 0 && /bad object refs\/known|refs\/known\/\d+ does not point/i.test(outcome.stderr)) {
          await scratch.dispose();
          known = [];
          scratch = await scratchRepository(gitDir, format, known);
          continue;
        }
        const missing = /(?:not our ref|missing object) ([0-9a-f]{40,64})/i.exec(outcome.stderr)?.[1];
        if (missing === undefined || attempt >= 8) throw new RemoteError('unreachable', describe(outcome, timeoutMs));
        listed ??= await this.#lsRemote();
        const refs = [...listed].filter(([ref, id]) => id === missing && !broken.has(ref)).map(([ref]) => ref);
        if (refs.length === 0) throw new RemoteError('unreachable', describe(outcome, timeoutMs));
        for (const ref of refs) {
          broken.add(ref);
          const message = `ignoring ${ref} on ${this.location}: it points at an object the remote does not have`;
          if (!this.#warned.has(message)) this.#options.onWarning?.(message);
          this.#warned.add(message);
        }
      }
      const refs = new Map<string, string>();
      await readLooseRefs(join(scratch.dir, 'refs', 'h'), `${namespace}/`, refs);
      await this.#remember([...refs.values()]);
      this.#present = new Set(refs.values());
      return refs;
    } finally {
      await scratch.dispose();
    }
  }

  async fetch(ids: readonly string[]): Promise<void> {
    const unknown = [...new Set(ids)].filter((id) => !this.#present.has(id));
    if (unknown.length === 0) return;
    const missing = await this.objects.missing(unknown);
    if (missing.length === 0) return;
    this.#roundTrips++;
    const outcome = await this.#git(['fetch', '--no-tags', '--no-write-fetch-head', '--quiet', this.#options.fetchUrl, ...missing], {
      GIT_DIR: this.#options.gitDir,
    });
    if (outcome.code !== 0) throw new RemoteError('unreachable', describe(outcome, this.#options.timeoutMs));
  }

  async push(updates: readonly RefUpdate[]): Promise<RefUpdateResult[]> {
    const results: RefUpdateResult[] = [];
    for (let at = 0; at < updates.length; at += PUSH_BATCH) {
      results.push(...(await this.#pushBatch(updates.slice(at, at + PUSH_BATCH))));
    }
    return results;
  }

  async #pushBatch(updates: readonly RefUpdate[]): Promise<RefUpdateResult[]> {
    const args = ['push', '--porcelain', '--no-verify', '--no-signed', this.#options.pushUrl];
    for (const update of updates) args.push(`--force-with-lease=${update.ref}:${update.expect ?? ''}`);
    for (const update of updates) args.push(`${update.value ?? ''}:${update.ref}`);
    this.#roundTrips++;
    const outcome = await this.#git(args, { GIT_DIR: this.#options.gitDir });
    const statuses = parsePorcelain(outcome.stdout.toString('utf8'));
    if (statuses.size === 0) {
      const failure = outcome.timedOut || !NOT_REACHED.test(outcome.stderr) || CUT_SHORT.test(outcome.stderr) ? 'in-doubt' : 'unreachable';
      throw new RemoteError(failure, describe(outcome, this.#options.timeoutMs));
    }
    return updates.map((update) => statuses.get(update.ref) ?? { ref: update.ref, outcome: 'unknown', reason: 'no status reported' });
  }

  async listNames(): Promise<Map<string, string>> {
    return this.#lsRemote();
  }

  /**
   * `git ls-remote <url> <ns>/*`: every ref of the namespace with its id, no objects (one round
   * trip). git sends no ref prefix for ls-remote patterns, so the server lists all its refs.
   */
  async #lsRemote(): Promise<Map<string, string>> {
    this.#roundTrips++;
    const outcome = await this.#git(['ls-remote', this.#options.fetchUrl, `${this.namespace}/*`], { GIT_DIR: this.#options.gitDir });
    if (outcome.code !== 0) throw new RemoteError('unreachable', describe(outcome, this.#options.timeoutMs));
    const refs = new Map<string, string>();
    for (const line of outcome.stdout.toString('utf8').split('\n')) {
      const [id, ref] = line.split('\t');
      if (id && ref?.startsWith(`${this.namespace}/`)) refs.set(ref, id);
    }
    return refs;
  }

  /** Ids the last list on this machine found (their objects are here: the store never deletes one). */
  async #known(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(join(this.#options.gitDir, 'seen'), 'ascii');
    } catch {
      return [];
    }
    return [...new Set(text.split('\n'))].filter((id) => /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(id));
  }

  async #remember(ids: readonly string[]): Promise<void> {
    const path = join(this.#options.gitDir, 'seen');
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      await writeFile(temp, ids.map((id) => `${id}\n`).join(''), { mode: 0o600 });
      await rename(temp, path);
    } catch {
      // Only saves transfer next time.
    }
  }

  #git(args: string[], env: Record<string, string>): Promise<GitOutcome> {
    return runGit({ git: this.#options.git, args, env, config: this.#config, timeoutMs: this.#options.timeoutMs });
  }
}

/**
 * Per-ref results of `git push --porcelain`: lines `<flag>\t<from>:<to>\t<summary>`, where the flag
 * is ` ` (fast-forward), `+` (forced), `-` (deleted), `*` (new), `=` (up to date) or `!` (rejected
 * or failed).
 */
export function parsePorcelain(stdout: string): Map<string, RefUpdateResult> {
  const statuses = new Map<string, RefUpdateResult>();
  for (const line of stdout.split('\n')) {
    const fields = /^([ +\-*=!])\t([^\t]*)\t(.*)$/.exec(line);
    if (!fields) continue;
    const [, flag, spec, summary] = fields;
    const ref = spec!.slice(spec!.lastIndexOf(':') + 1);
    let outcome: RefOutcome = 'applied';
    if (flag === '!') outcome = /remote failure|failed to report/i.test(summary!) ? 'unknown' : 'rejected';
    // The whole summary: `[rejected] (stale info)` is git's own lease check before sending,
    // `[remote rejected] (…)` the remote's refusal, which a replayed request also produces.
    const reason = summary!.trim();
    statuses.set(ref, outcome === 'applied' ? { ref, outcome } : { ref, outcome, reason });
  }
  return statuses;
}

/** Reads the loose refs under `dir` into `into`, named `<prefix><path>`. */
async function readLooseRefs(dir: string, prefix: string, into: Map<string, string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await readLooseRefs(path, `${prefix}${entry.name}/`, into);
    else if (entry.isFile() && !entry.name.endsWith('.lock')) {
      const value = (await readFile(path, 'ascii')).trim();
      if (/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(value)) into.set(`${prefix}${entry.name}`, value);
    }
  }
}

/** One line saying why git failed, credentials removed. */
function describe(outcome: GitOutcome, timeoutMs: number): string {
  if (outcome.timedOut) return `git timed out after ${Math.round(timeoutMs / 1000)} s`;
  // Older gits refuse the negotiation setting the store relies on, before reaching any remote.
  if (/negotiation algorithm|negotiationalgorithm/i.test(outcome.stderr)) return 'the git store needs git 2.36 or newer (git --version)';
  const lines = outcome.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(hint:|Please make sure|and the repository exists)/i.test(line));
  const at = lines.findIndex((line) => /^(fatal|error):/i.test(line) && !/failed to push some refs/i.test(line));
  let fatal = lines[at < 0 ? 0 : at] ?? `git exited with ${outcome.code}`;
  // git splits some messages over two lines ("unable to connect to host:" then the errno).
  if (fatal.endsWith(':') && lines[at + 1] !== undefined) fatal = `${fatal} ${lines[at + 1]}`;
  return fatal.replace(/^(fatal|error):\s*/i, '').replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}
