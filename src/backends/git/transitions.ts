import { basename, resolve } from 'node:path';
import type { Runtime } from '../../runtime.js';
import type { ClaimedItem } from '../types.js';
import type { StateRecord } from './record.js';

/**
 * The git store's state transitions and claim handles, as pure functions: which record a handoff
 * gets when it is given back, whether a claim may be taken over, whether a handoff is in a claim's
 * scope, and how a claim names what it holds (`dir:<claim>` in the local queue, `git:<leaf>:<id>`
 * on the remote: the ref and the exact state object the claim wrote).
 */

/** Splits claimed items into the local store's and the remote's. */
export function splitItems(items: readonly ClaimedItem[]): {
  local: Array<{ item: ClaimedItem; inner: ClaimedItem }>;
  remote: Array<{ item: ClaimedItem; leaf: string; value: string }>;
} {
  const local: Array<{ item: ClaimedItem; inner: ClaimedItem }> = [];
  const remote: Array<{ item: ClaimedItem; leaf: string; value: string }> = [];
  for (const item of items) {
    if (item.claim.startsWith('dir:')) {
      local.push({ item, inner: { ...item, claim: item.claim.slice(4) } });
    } else {
      const fields = /^git:(.+):([0-9a-f]{40}(?:[0-9a-f]{24})?)$/.exec(item.claim);
      if (fields) remote.push({ item, leaf: fields[1]!, value: fields[2]! });
    }
  }
  return { local, remote };
}

/** The pending record of a handoff given back (released, restored, repaired): its identity and origin only. */
export function pendingAgain(record: StateRecord, unique: string): StateRecord {
  return {
    state: 'pending',
    id: record.id,
    unique,
    createdAt: record.createdAt,
    ...(record.project === undefined ? {} : { project: record.project }),
    ...(record.session === undefined ? {} : { session: record.session }),
  };
}

/** A record without its claim fields (holder, lease). */
export function withoutClaim(record: StateRecord): StateRecord {
  const { holder: _holder, leaseUntil: _leaseUntil, leaseMs: _leaseMs, ...rest } = record;
  return rest;
}

/**
 * Whether a handoff scoped to `project` belongs to a claim for `wanted`: an unscoped one belongs to
 * every project; a scoped one to the same path, or to a clone of the same folder name elsewhere.
 * Every handoff under one remote's namespace was written in a clone of that repository, and clones
 * live at different paths on different machines (`/Users/me/app`, `/workspace/app`): the folder
 * name is what they share. Two projects of one remote with the same folder name (rare: explicit
 * `--project` paths) are then one project.
 */
export function inScope(project: string | undefined, wanted: string | undefined): boolean {
  if (wanted === undefined || project === undefined) return true;
  const path = resolve(project);
  return path === wanted || basename(path) === basename(wanted);
}

/**
 * Whether a claim may be taken over: its holder is dead on this host, or its lease ended by this
 * machine's clock, with a grace of half the lease up to 2 s for clocks that disagree (leases are
 * judged across machines here).
 */
export function takeable(record: StateRecord, now: number, runtime: Runtime): boolean {
  const grace = Math.min(2_000, (record.leaseMs ?? 0) / 2);
  if (record.leaseUntil! + grace <= now) return true;
  const holder = record.holder!;
  return holder.host === runtime.host && holder.pid !== runtime.pid && !runtime.isAlive(holder.pid);
}
