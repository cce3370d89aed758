import { join } from 'node:path';
import { DirectoryBackend } from '../../src/backends/directory/backend.js';
import { parseClaimName } from '../../src/backends/directory/names.js';
import type { AcknowledgeOutcome, ClaimedItem, ClaimRequest, ClaimOutcome, HandoffBackend, ReleaseOutcome } from '../../src/backends/types.js';
import { errorCode } from '../../src/errors.js';
import type { FileSystem } from '../../src/fs/types.js';
import { formatHandoffName, parseHandoffName } from '../../src/handoff/name.js';
import type { ActorContext } from './scheduler.js';
import { HANDOFFS } from './world.js';

/**
 * Broken protocols the simulation must catch: each is the real directory backend with one step
 * put back the way it was unsafe. The mutation test fails if a search of the CI budget finds no
 * violation for either.
 */

function realBackend(context: ActorContext): DirectoryBackend {
  return new DirectoryBackend({ dir: HANDOFFS, fs: context.fs, runtime: context.runtime, durable: false, staleTempMs: 0, onWarning: () => {} });
}

/** Everything delegated to the real backend but for the methods a mutant replaces. */
function delegating(inner: DirectoryBackend, overrides: Partial<HandoffBackend>): HandoffBackend {
  return {
    location: inner.location,
    publish: (handoff) => inner.publish(handoff),
    list: (options) => inner.list(options),
    read: (name) => inner.read(name),
    claim: (request) => inner.claim(request),
    acknowledge: (items, at) => inner.acknowledge(items, at),
    release: (items) => inner.release(items),
    restore: (selector) => inner.restore(selector),
    purge: (options) => inner.purge(options),
    ...overrides,
  };
}

/**
 * The seed's consumption by rename: the claim moves to `<stamp>_<slug>_done.md`, a name that
 * already exists when a writer reused the pending name after an earlier handoff of that name was
 * consumed, so the rename destroys the earlier consumed handoff.
 */
export function claimByRename(context: ActorContext): HandoffBackend {
  const inner = realBackend(context);
  const fs = context.fs;
  return delegating(inner, {
    async acknowledge(items, at): Promise<AcknowledgeOutcome> {
      const acknowledged: AcknowledgeOutcome['acknowledged'] = [];
      const lost: ClaimedItem[] = [];
      for (const item of items) {
        const claim = parseClaimName(item.claim)!;
        const name = formatHandoffName(claim.stamp, claim.slug, { done: true });
        try {
          await fs.utimes(join(HANDOFFS, item.claim), at, at);
          await fs.rename(join(HANDOFFS, item.claim), join(HANDOFFS, name));
          acknowledged.push({ item, name });
        } catch (error) {
          if (errorCode(error) !== 'ENOENT') throw error;
          lost.push(item);
        }
      }
      return { acknowledged, lost, failed: [] };
    },
  });
}

/**
 * The earlier link protocol: claim by hard-linking the pending file to its consumed name, and when
 * that name is taken by the same file (another consumer's link), remove the pending name by name —
 * a check, then an act on a name that may hold a new handoff by then.
 */
export function checkThenUnlink(context: ActorContext): HandoffBackend {
  const inner = realBackend(context);
  const fs: FileSystem = context.fs;
  const sameFile = async (a: string, b: string): Promise<'same' | 'different' | 'gone'> => {
    const [infoA, infoB] = await Promise.all([fs.lstat(a).catch(() => undefined), fs.lstat(b).catch(() => undefined)]);
    if (!infoA) return 'gone';
    if (!infoB) return 'different';
    return infoA.ino === infoB.ino ? 'same' : 'different';
  };
  return delegating(inner, {
    async claim(_request: ClaimRequest): Promise<ClaimOutcome> {
      const claimed: ClaimedItem[] = [];
      let entries;
      try {
        entries = await fs.readdir(HANDOFFS);
      } catch {
        return { claimed, skipped: [] };
      }
      for (const entry of entries) {
        const parsed = parseHandoffName(entry.name);
        if (!parsed || parsed.done || entry.kind !== 'file') continue;
        const source = join(HANDOFFS, parsed.name);
        for (let collision = 1; collision < 50; collision++) {
          const done = formatHandoffName(parsed.stamp, parsed.slug, { done: true, tag: collision === 1 ? undefined : `c${collision}` });
          try {
            await fs.link(source, join(HANDOFFS, done));
          } catch (error) {
            const code = errorCode(error);
            if (code === 'ENOENT') break;
            if (code !== 'EEXIST') throw error;
            const owner = await sameFile(source, join(HANDOFFS, done));
            if (owner === 'gone') break;
            if (owner === 'same') {
              await fs.unlink(source).catch(() => {});
              break;
            }
            continue;
          }
          await fs.unlink(source).catch(() => {});
          claimed.push({ name: parsed.name, data: await fs.readFile(join(HANDOFFS, done)), redelivered: false, claim: done });
          break;
        }
      }
      return { claimed, skipped: [] };
    },
    // Claimed and consumed in one step: nothing left to move.
    async acknowledge(items) {
      return { acknowledged: items.map((item) => ({ item, name: item.claim })), lost: [], failed: [] };
    },
    async release(items): Promise<ReleaseOutcome> {
      return { released: [], lost: [...items], failed: [] };
    },
  });
}

export const MUTANTS = { 'claim by rename onto the consumed name': claimByRename, 'check, then unlink by name': checkThenUnlink } as const;
