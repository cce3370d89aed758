import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { HandoffError } from '../../errors.js';
import { nodeFs } from '../../fs/node.js';
import { retrying } from '../../fs/retry.js';
import type { FileSystem } from '../../fs/types.js';
import { processRuntime, shortTag, type Runtime } from '../../runtime.js';
import type {
  AcknowledgeOutcome,
  ClaimedItem,
  ClaimOutcome,
  ClaimRequest,
  HandoffBackend,
  NewHandoff,
  PurgeOutcome,
  ReleaseOutcome,
  RestoreOutcome,
  RestoreSelector,
  StoredHandoff,
} from '../types.js';
import { GitBackend, type SyncResult } from './backend.js';
import { GitRemote } from './git-remote.js';
import { ensureRepository } from './private-repository.js';
import type { Remote } from './remote.js';
import { isUrl, redactUrl, resolveRemote } from './user-remote.js';

/** Options of {@link gitStore}. */
export interface GitStoreOptions {
  /** A remote of the repository at `cwd` (`'origin'`), or a URL or path git can push to. */
  remote: string;
  /** A directory inside the repository whose remote is meant. Default: `process.cwd()`. */
  cwd?: string;
  /**
   * This machine's queue for this remote: handoffs written here and not yet published, and the
   * store's private git objects. Default: `<handoffsDir>/remotes/<tag of the remote's URL>`, one
   * queue per remote shared by every clone of it on this machine.
   */
  dir?: string;
  /** Where default queues live. Default: `$HANDOFFS_DIR`, else `~/.claude/handoffs`. */
  handoffsDir?: string;
  /** The ref namespace on the remote. Default `'refs/handoffs'`. */
  namespace?: string;
  /** The git executable. Default `'git'` (on `PATH`). */
  git?: string;
  /** Longest a single git command may take. Default 30 000 ms. */
  timeoutMs?: number;
  /** Days a consumed handoff is kept on the remote, from consumption. Default 7 (the store's default). */
  retentionDays?: number;
  /** After the remote was out of reach, how long writes queue without trying it. Default 30 000 ms. */
  offlineRetryMs?: number;
  /** Filesystem adapter of the queue. Default `nodeFs()`. */
  fs?: FileSystem;
  /** Fsync queued handoffs. Default `true`. */
  durable?: boolean;
  /** Told about conditions worth a person's attention (remote not reached, foreign refs). Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** The process (clock, pid, host, randomness). Default: the real one. */
  runtime?: Partial<Runtime>;
  /** Another remote implementation (e.g. `MemoryRemoteServer#connect()` for simulation) instead of git. */
  transport?: Remote;
}

/** A git-remote store: a `HandoffBackend` plus `sync()`. */
export interface GitStore extends HandoffBackend {
  /** Publishes what this machine holds for the remote and settles what was left in doubt; see `GitBackend#sync`. */
  sync(): Promise<SyncResult>;
  /** The opened backend (resolves the remote on first use). */
  open(): Promise<GitBackend>;
}

const NAMESPACE = /^refs\/(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)*[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A store on a git remote, for `new HandoffStore({ store: gitStore({ remote: 'origin' }) })`.
 * Opening is lazy: the remote is resolved on the first call, so constructing never fails or waits.
 *
 * @throws HandoffError `INVALID_OPTION` for options of the wrong type.
 */
export function gitStore(options: GitStoreOptions): GitStore {
  if (typeof options !== 'object' || options === null || typeof options.remote !== 'string' || options.remote === '') {
    throw new HandoffError('INVALID_OPTION', 'gitStore needs { remote }: a remote name such as origin, or a URL');
  }
  const namespace = options.namespace ?? 'refs/handoffs';
  if (!NAMESPACE.test(namespace) || namespace.split('/').some((part) => part.endsWith('.lock') || part.includes('..'))) {
    throw new HandoffError('INVALID_OPTION', `namespace must be a ref prefix such as refs/handoffs, got ${JSON.stringify(namespace)}`);
  }
  let opened: Promise<GitBackend> | undefined;
  const open = (): Promise<GitBackend> =>
    (opened ??= openBackend(options, namespace).catch((error: unknown) => {
      opened = undefined;
      throw error;
    }));
  const location = `git:${isUrl(options.remote) ? redactUrl(options.remote) : options.remote}`;
  return {
    location,
    open,
    publish: async (handoff: NewHandoff): Promise<string> => (await open()).publish(handoff),
    list: async (list: { consumed: boolean }): Promise<StoredHandoff[]> => (await open()).list(list),
    read: async (name: string): Promise<StoredHandoff | undefined> => (await open()).read(name),
    claim: async (request: ClaimRequest): Promise<ClaimOutcome> => (await open()).claim(request),
    acknowledge: async (items: readonly ClaimedItem[], at: Date): Promise<AcknowledgeOutcome> => (await open()).acknowledge(items, at),
    release: async (items: readonly ClaimedItem[]): Promise<ReleaseOutcome> => (await open()).release(items),
    restore: async (selector: RestoreSelector): Promise<RestoreOutcome> => (await open()).restore(selector),
    purge: async (purge: { consumedBefore: Date; now: Date }): Promise<PurgeOutcome> => (await open()).purge(purge),
    sync: async (): Promise<SyncResult> => (await open()).sync(),
    close: async (): Promise<void> => {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}

async function openBackend(options: GitStoreOptions, namespace: string): Promise<GitBackend> {
  const base = processRuntime(options.runtime?.now);
  const runtime: Runtime = { ...base, ...options.runtime };
  const git = options.git ?? 'git';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const onWarning = options.onWarning ?? ((message: string) => process.emitWarning(message, 'HandoffsWarning'));
  const common = {
    fs: retrying(options.fs ?? nodeFs()),
    runtime,
    retentionDays: options.retentionDays ?? 7,
    // A publisher holds an outbox entry well past its push's timeout: a takeover never races a push still in flight.
    publishLeaseMs: timeoutMs * 2 + 60_000,
    offlineRetryMs: options.offlineRetryMs ?? 30_000,
    publishAttempts: 12,
    viewReuseMs: 60_000,
    durable: options.durable ?? true,
    staleTempMs: 3_600_000,
    onWarning,
  };
  if (options.transport) {
    const dir = resolve(options.dir ?? defaultDir(options, options.transport.location));
    return new GitBackend({ ...common, queueDir: dir, remote: options.transport, location: `git:${options.transport.location}` });
  }
  const cwd = resolve(options.cwd ?? process.cwd());
  let resolved;
  try {
    resolved = await resolveRemote({ git, remote: options.remote, cwd, timeoutMs });
  } catch (error) {
    throw new HandoffError('IO', `git store: ${(error as Error).message}`, { cause: error });
  }
  if ('problem' in resolved) {
    const dir = resolve(options.dir ?? defaultDir(options, `unresolved:${cwd}:${options.remote}`));
    return new GitBackend({ ...common, queueDir: dir, remote: undefined, remoteProblem: resolved.problem, location: `git:${resolved.location}` });
  }
  const dir = resolve(options.dir ?? defaultDir(options, resolved.fetchUrl));
  const gitDir = join(dir, '.git-store');
  await ensureRepository(gitDir, resolved.format);
  const remote = new GitRemote({
    git,
    fetchUrl: resolved.fetchUrl,
    pushUrl: resolved.pushUrl,
    location: `git:${resolved.location}`,
    namespace,
    gitDir,
    format: resolved.format,
    config: resolved.config,
    timeoutMs,
    onWarning,
  });
  return new GitBackend({ ...common, queueDir: dir, remote, location: `git:${resolved.location}` });
}

/** `<handoffs dir>/remotes/<tag>`: one queue per remote, shared by every clone of it on this machine. */
function defaultDir(options: GitStoreOptions, key: string): string {
  const root = options.handoffsDir ?? process.env.HANDOFFS_DIR ?? join(homedir(), '.claude', 'handoffs');
  return join(root, 'remotes', shortTag(key, 12));
}
