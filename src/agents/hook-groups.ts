import { InitError } from './errors.js';
import { isObject } from './json-file.js';

/**
 * Editing hook lists of the shape Claude Code, Codex and Gemini CLI share:
 * `{ "<Event>": [ { "matcher": "…", "hooks": [ { "type": "command", "command": "…" } ] } ] }`.
 * Only handlers `isOurs` accepts are ever replaced or removed; every other handler, group and key
 * keeps its place and its content.
 */

/** The group init wants under one event. */
export interface HookGroupSpec {
  event: string;
  /** Omitted: the group has no matcher (it matches every occurrence). */
  matcher?: string;
  handlers: Array<Record<string, unknown>>;
}

/** Which handlers are init's. */
export type OwnedHandler = (handler: unknown) => boolean;

/**
 * `hooks` with init's group for each spec: unchanged when our handlers already say exactly that;
 * else our old handlers are removed and the new group goes where the first group holding one was,
 * or last.
 *
 * @throws InitError `INVALID_CONFIG` when an event's value is not a list.
 */
export function withOurGroups(
  hooks: Record<string, unknown>,
  specs: readonly HookGroupSpec[],
  isOurs: OwnedHandler,
  path: string,
): Record<string, unknown> {
  const next = { ...hooks };
  for (const spec of specs) {
    const groups = eventGroups(next, spec.event, path);
    const wanted = spec.matcher === undefined ? { hooks: spec.handlers } : { matcher: spec.matcher, hooks: spec.handlers };
    const holding = groups.filter((group) => isGroup(group) && group.hooks.some(isOurs));
    if (holding.length === 1 && JSON.stringify(holding[0]) === JSON.stringify(wanted)) continue;
    const kept: unknown[] = [];
    let placed = false;
    for (const group of groups) {
      if (!holding.includes(group)) {
        kept.push(group);
        continue;
      }
      const inner = (group as { hooks: unknown[] }).hooks.filter((handler) => !isOurs(handler));
      if (inner.length > 0) kept.push({ ...(group as object), hooks: inner });
      // Where the first group holding ours was, so a user who moved our group keeps the order.
      if (!placed) kept.push(wanted);
      placed = true;
    }
    if (!placed) kept.push(wanted);
    next[spec.event] = kept;
  }
  return next;
}

/**
 * `hooks` without any handler `isOurs` accepts. A group left empty by the removal goes, and so
 * does an event left with no group; groups and events that were empty before stay.
 */
export function withoutOurGroups(hooks: Record<string, unknown>, isOurs: OwnedHandler, path: string): Record<string, unknown> {
  const next: Record<string, unknown> = {};
  for (const [event, value] of Object.entries(hooks)) {
    if (!Array.isArray(value) || !value.some((group) => isGroup(group) && group.hooks.some(isOurs))) {
      next[event] = value;
      continue;
    }
    const kept = withoutOurs(eventGroups(hooks, event, path), isOurs);
    if (kept.length > 0) next[event] = kept;
  }
  return next;
}

/** Every handler init owns in `hooks`, with the Codex-style position `<event>:<group>:<handler>` of each. */
export function ourHandlers(hooks: Record<string, unknown>, isOurs: OwnedHandler): Array<{ event: string; group: number; index: number; handler: Record<string, unknown> }> {
  const found: Array<{ event: string; group: number; index: number; handler: Record<string, unknown> }> = [];
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    groups.forEach((group, groupIndex) => {
      if (!isGroup(group)) return;
      group.hooks.forEach((handler, index) => {
        if (isOurs(handler) && isObject(handler)) found.push({ event, group: groupIndex, index, handler });
      });
    });
  }
  return found;
}

function withoutOurs(groups: unknown[], isOurs: OwnedHandler): unknown[] {
  const kept: unknown[] = [];
  for (const group of groups) {
    if (!isGroup(group) || !group.hooks.some(isOurs)) {
      kept.push(group);
      continue;
    }
    const inner = group.hooks.filter((handler) => !isOurs(handler));
    if (inner.length > 0) kept.push({ ...group, hooks: inner });
  }
  return kept;
}

function eventGroups(hooks: Record<string, unknown>, event: string, path: string): unknown[] {
  const groups = hooks[event] ?? [];
  if (!Array.isArray(groups)) throw new InitError('INVALID_CONFIG', `${path}: hooks.${event} is not a list`, { path });
  return groups;
}

/** Whether a value is a matcher group: an object with a `hooks` list. */
export function isGroup(value: unknown): value is { hooks: unknown[]; [key: string]: unknown } {
  return isObject(value) && Array.isArray(value.hooks);
}
