import { HandoffError, MemoryError, parseHandoffName, parseIndex } from '../../src/index.js';
import { TEMP_PATTERN, parseClaimName } from '../../src/backends/directory/names.js';
import { LEASE_MS, type Log, type Scenario } from './scenarios.js';
import type { ScheduleRun } from './scheduler.js';
import { HANDOFFS, LEGACY_DIR, MEMORY, type World } from './world.js';

/**
 * The invariants checked after every schedule (and its final healthy pass, which takes over what
 * crashed holders left and consumes everything still pending). Each returns what it found wrong.
 */
export function violations(world: World, log: Log, scenario: Scenario, run: ScheduleRun): string[] {
  const problems: string[] = [];
  const crashed = new Set(run.actors.filter((actor) => actor.state === 'crashed').map((actor) => actor.name));
  const roleOf = new Map(run.actors.map((actor) => [actor.name, actor.role]));

  // Every actor ends with a result or a typed error: nothing else escapes the library.
  for (const actor of run.actors) {
    if (actor.state === 'failed' && !(actor.error instanceof HandoffError || actor.error instanceof MemoryError)) {
      problems.push(`${actor.name} failed with an untyped error: ${String(actor.error)}`);
    }
  }

  // No partial body was ever handed to anyone.
  for (const delivery of log.deliveries) if (!delivery.whole) problems.push(`${delivery.actor} was handed a partial body of ${delivery.id}`);

  // Content is destroyed only by cleanup of a consumed handoff, or as the temporary file of a
  // write that never returned.
  for (const effect of world.effects) {
    if (effect.kind !== 'destroyed') continue;
    const purged = roleOf.get(effect.actor) === 'cleaner' && /_done\.md$/.test(effect.name);
    const unpublishedTemp = TEMP_PATTERN.test(effect.name) && !log.written.has(effect.id);
    if (!purged && !unpublishedTemp) problems.push(`${effect.id} destroyed by ${effect.actor} (${effect.by} of ${effect.name})`);
  }

  // Where each handoff's content is now.
  const places = new Map<string, string[]>();
  const names = (dir: string) => (world.volume.readdirSync(dir) as string[]).map(String);
  for (const dir of [HANDOFFS, LEGACY_DIR]) {
    for (const name of names(dir)) {
      const id = world.idOf(`${dir}/${name}`);
      if (id !== undefined && !TEMP_PATTERN.test(name)) places.set(id, [...(places.get(id) ?? []), name]);
    }
  }
  const count = (kind: 'destroyed' | 'restored', id: string) => world.effects.filter((effect) => effect.kind === kind && effect.id === id).length;

  const written = [...log.written.keys(), ...(scenario.legacy ? ['legacy'] : [])];
  for (const id of written) {
    const here = places.get(id) ?? [];
    const purges = count('destroyed', id);
    // Exactly once: one consumed file, or purged once after consumption; never pending or claimed
    // after the final pass, never in two places.
    if (here.length + purges !== 1) problems.push(`${id} is in ${here.length} place(s) (${here.join(', ')}) and was purged ${purges} time(s)`);
    for (const name of here) if (!parseHandoffName(name)?.done) problems.push(`${id} is still not consumed: ${name}`);
    const acknowledged = log.deliveries.filter((delivery) => delivery.id === id && delivery.outcome === 'acknowledged').length;
    const restores = count('restored', id);
    if (acknowledged > 1 + restores) problems.push(`${id} acknowledged ${acknowledged} times with ${restores} restore(s)`);
  }

  // A copy handed to a holder that did not crash is delivered again only after its lease ended.
  const leaseTicks = scenario.budget.tickMs > LEASE_MS ? run.ticks : 0;
  for (const delivery of log.deliveries) {
    if (delivery.outcome === 'lost' && leaseTicks === 0) problems.push(`${delivery.actor} lost ${delivery.id} within its lease`);
    if (delivery.outcome === 'held' && !crashed.has(delivery.actor) && delivery.actor !== 'final') {
      const state = run.actors.find((actor) => actor.name === delivery.actor)?.state;
      if (state === 'done') problems.push(`${delivery.actor} ended holding ${delivery.id} unacknowledged`);
    }
  }

  // Nothing outside the grammar is created or removed; foreign files are untouched.
  const someoneStopped = run.actors.some((actor) => actor.state === 'crashed' || actor.state === 'failed');
  for (const [path, text] of Object.entries(scenario.foreign)) {
    let now: string | undefined;
    try {
      now = String(world.volume.readFileSync(path, 'utf8'));
    } catch {
      now = undefined;
    }
    if (now !== text) problems.push(`foreign file ${path} changed`);
  }
  const foreign = new Set(Object.keys(scenario.foreign).map((path) => path.slice(HANDOFFS.length + 1)));
  for (const name of names(HANDOFFS)) {
    if (foreign.has(name) || parseHandoffName(name) || parseClaimName(name)) continue;
    if (TEMP_PATTERN.test(name) && someoneStopped) continue;
    problems.push(`unexpected file in the handoffs folder: ${name}`);
  }
  for (const name of names(HANDOFFS)) if (parseClaimName(name)) problems.push(`still claimed after the final pass: ${name}`);
  for (const name of names(LEGACY_DIR)) problems.push(`left beside the legacy file: ${name}`);

  // No index update is lost, and the index parses with one entry per topic.
  let index = '';
  try {
    index = String(world.volume.readFileSync(`${MEMORY}/MEMORY.md`, 'utf8'));
  } catch {
    index = '';
  }
  const entries = parseIndex(index).entries.map((entry) => entry.file);
  for (const topic of log.upserts) if (!entries.includes(`${topic}.md`)) problems.push(`index update ${topic} lost`);
  if (new Set(entries).size !== entries.length) problems.push(`index has duplicate entries: ${entries.join(', ')}`);
  for (const name of names(MEMORY)) {
    // Fences of holders that were taken over stay until cleanup finds their holders done.
    if (name === 'MEMORY.md' || /^[a-z0-9]+\.md$/.test(name) || /^\.MEMORY\.md\.fence-/.test(name)) continue;
    // What a crashed updater leaves (temporary files, a lock set aside) is swept by cleanup.
    if (someoneStopped && (name.startsWith('.') || name.startsWith('MEMORY.md.lock.stale-'))) continue;
    if (/^MEMORY\.md\.lock$/.test(name) && someoneStopped) continue;
    problems.push(`unexpected file in the memory folder: ${name}`);
  }
  return problems;
}
