import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { resolve } from 'node:path';
import { decodeFrontMatter, decodeHandoff, instantOf } from '../../handoff/codec.js';
import { parseHandoffName } from '../../handoff/name.js';
import { processRuntime, type Runtime } from '../../runtime.js';
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
  SkippedHandoff,
  StoredHandoff,
} from '../types.js';
import { PostgresDriver } from './driver.js';
import { consumedNameOf, formatClaimName, parseClaimName, type PostgresClaimName } from './names.js';
import { resolvePostgresOptions, type PostgresStoreOptions, type ResolvedPostgresOptions } from './options.js';
import { ensureSchema } from './schema.js';
import { statementsFor, type Statements } from './statements.js';
import { watchPending } from './watch.js';

/** A handoff store in PostgreSQL: a `HandoffBackend`, plus what only this store does. */
export interface PostgresStore extends HandoffBackend {
  /** Creates or updates the schema now (it is otherwise done on first use); returns the migrations applied. */
  migrate(): Promise<number>;
  /**
   * Copies one handoff read from another store with its name, state, instant and consumption time.
   * `copied`, `present` (copied before: nothing done), or `conflict` (another handoff has the name).
   */
  copyIn(handoff: StoredHandoff): Promise<'copied' | 'present' | 'conflict'>;
  watch(options?: { signal?: AbortSignal }): AsyncIterable<string>;
  close(): Promise<void>;
}

/**
 * A store in PostgreSQL, for workers on many machines: pass it as `new HandoffStore({ store:
 * postgresStore({ url }) })`, or pass the URL itself as `store`. Needs the `pg` package (an
 * optional peer dependency). The schema is created on first use. See docs/POSTGRES.md.
 *
 * @throws HandoffError `INVALID_OPTION` for a URL or option it cannot use (never quoting the password).
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresBackend(resolvePostgresOptions(options), options.runtime ?? processRuntime());
}

interface Row {
  name: string;
  stamp: string;
  slug: string;
  state: 'pending' | 'claimed' | 'consumed';
  data: Buffer;
  consumed_at: Date | null;
  lease_expires_at: Date | null;
  batch: string | null;
  claim_token: string | null;
}

interface ClaimRow {
  kind: 'claimed' | 'skipped' | 'holder';
  name: string | null;
  data: Buffer | null;
  claim_token: string | null;
  redelivered: boolean | null;
  pid: number | null;
}

/**
 * Handoffs as rows of one table (docs/POSTGRES.md). Every change of state is one statement that
 * names the state and claim token it expects, so it takes effect only on the row as the caller
 * knew it: of two racing callers, one statement changes the row and the other finds nothing.
 */
class PostgresBackend implements PostgresStore {
  readonly location: string;
  readonly #options: ResolvedPostgresOptions;
  readonly #driver: PostgresDriver;
  readonly #sql: Statements;
  readonly #runtime: Runtime;
  #ready: Promise<unknown> | undefined;
  /** Pids of other processes on this host that held live claims when this store last looked. */
  #hostHolders = new Set<number>();

  constructor(options: ResolvedPostgresOptions, runtime: Runtime) {
    this.#options = options;
    this.location = options.location;
    this.#driver = new PostgresDriver(options);
    this.#sql = statementsFor(options.schema);
    this.#runtime = runtime;
  }

  async migrate(): Promise<number> {
    const applied = await ensureSchema(this.#driver, this.#options.schema);
    this.#ready = Promise.resolve();
    return applied;
  }

  /** The schema, made once per store object (and again after a failed attempt). */
  async #schema(): Promise<void> {
    this.#ready ??= ensureSchema(this.#driver, this.#options.schema).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
  }

  async publish(handoff: NewHandoff): Promise<string> {
    await this.#schema();
    const meta = decodeFrontMatter(handoff.data);
    const values = [
      // Chosen here: a write sent again after a lost reply finds its own row by it.
      randomId(),
      handoff.stamp,
      handoff.slug,
      handoff.project ?? null,
      handoff.createdAt,
      offsetMinutes(meta.created, handoff.createdAt),
      // The caller's bytes, not a copy: pg sends a Uint8Array as it is.
      handoff.data,
      JSON.stringify(meta),
    ];
    if ((await this.#driver.execute('write', this.#sql.publishFirst, values, 'idempotent')) === 1) return `${handoff.stamp}_${handoff.slug}.md`;
    // The name is taken (or this write already landed): the collision path, still one round trip.
    const rows = await this.#driver.query<{ name: string }>('write', this.#sql.publish, values, 'idempotent');
    return rows[0]!.name;
  }

  async list(options: { consumed: boolean }): Promise<StoredHandoff[]> {
    await this.#schema();
    const rows = await this.#driver.query<Row>('list', options.consumed ? this.#sql.listAll : this.#sql.list, [], 'idempotent');
    return rows.map(stored);
  }

  async read(name: string): Promise<StoredHandoff | undefined> {
    await this.#schema();
    const claim = parseClaimName(name);
    let rows: Row[];
    if (claim) {
      rows = await this.#driver.query<Row>('read', this.#sql.readClaimed, [claim.pendingName, claim.token], 'idempotent');
      if (rows[0]?.batch !== claim.batch) return undefined;
    } else if (parseHandoffName(name)) {
      rows = await this.#driver.query<Row>('read', this.#sql.readByName, [name], 'idempotent');
    } else {
      return undefined;
    }
    return rows[0] && stored(rows[0]);
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    await this.#schema();
    const limit = request.limit === undefined ? undefined : Math.max(0, Math.floor(request.limit));
    // Holders on this host can be tested for life only here, not in SQL. Those seen by earlier
    // claims are tested now, so that their claims compete oldest first with pending handoffs in
    // the one statement; a pid is tested each time, never remembered dead (it could be reused).
    const dead = [...this.#hostHolders].filter((pid) => !this.#runtime.isAlive(pid));
    const first = await this.#claimOnce(request, limit, dead);
    this.#hostHolders = new Set([...first.holders, ...dead]);
    // Holders first seen now and found dead are taken over by a second statement, while there is
    // room; the usual case (none dead) costs one round trip.
    const newlyDead = first.holders.filter((pid) => !this.#runtime.isAlive(pid));
    const room = limit === undefined ? undefined : limit - first.claimed.length;
    if (newlyDead.length === 0 || room === 0) return { claimed: first.claimed, skipped: first.skipped };
    const second = await this.#claimOnce(request, room, newlyDead);
    return { claimed: [...first.claimed, ...second.claimed], skipped: first.skipped };
  }

  async #claimOnce(
    request: ClaimRequest,
    limit: number | undefined,
    deadPids: number[],
  ): Promise<{ claimed: ClaimedItem[]; skipped: SkippedHandoff[]; holders: number[] }> {
    const { holder } = request;
    // This statement's own token: sent again after a lost reply, it finds the rows it took.
    const token = randomTag();
    let attempt = 0;
    const rows = await this.#driver.withClient('claim', 'idempotent', async (client) => {
      const sent = attempt++ > 0;
      return (await client.query<ClaimRow>({ ...this.#sql.claim, values: [
        token,
        holder.batch,
        holder.pid,
        holder.host,
        request.leaseMs,
        this.#options.leaseClock === 'client' ? request.now : null,
        request.project ?? null,
        limit ?? null,
        deadPids,
        sent,
        request.session ?? null,
      ] })).rows;
    });
    const claimed: ClaimedItem[] = [];
    const skipped: SkippedHandoff[] = [];
    const holders: number[] = [];
    for (const row of rows) {
      if (row.kind === 'claimed') {
        claimed.push({
          name: row.name!,
          data: row.data!,
          redelivered: row.redelivered === true,
          claim: formatClaimName(holder.batch, row.claim_token!, row.name!),
        });
      } else if (row.kind === 'skipped') {
        skipped.push({ name: row.name!, reason: 'other-project' });
      } else {
        holders.push(row.pid!);
      }
    }
    return { claimed, skipped, holders };
  }

  async acknowledge(items: readonly ClaimedItem[], at: Date): Promise<AcknowledgeOutcome> {
    const held = heldClaims(items);
    const acknowledged: AcknowledgeOutcome['acknowledged'] = [];
    const lost: ClaimedItem[] = items.filter((item) => !held.has(item));
    // One statement: every claim is acknowledged, or the call rejects and they all stay held.
    if (held.size === 0) return { acknowledged, lost, failed: [] };
    await this.#schema();
    const claims = [...held.values()];
    const rows = await this.#driver.query<{ token: string; name: string }>(
      'acknowledge',
      this.#sql.acknowledge,
      [claims.map((claim) => claim.pendingName), claims.map((claim) => claim.token), claims.map(consumedNameOf), at],
      // Idempotent: a row consumed under the same token is this acknowledgement, retried.
      'idempotent',
    );
    const done = new Map(rows.map((row) => [row.token, row.name]));
    for (const [item, claim] of held) {
      const name = done.get(claim.token);
      if (name === undefined) lost.push(item);
      else acknowledged.push({ item, name });
    }
    return { acknowledged, lost, failed: [] };
  }

  async release(items: readonly ClaimedItem[]): Promise<ReleaseOutcome> {
    const held = heldClaims(items);
    const released: string[] = [];
    const lost: ClaimedItem[] = items.filter((item) => !held.has(item));
    if (held.size === 0) return { released, lost, failed: [] };
    await this.#schema();
    const claims = [...held.values()];
    const rows = await this.#driver.query<{ token: string; name: string }>(
      'release',
      this.#sql.release,
      [claims.map((claim) => claim.pendingName), claims.map((claim) => claim.token)],
      'idempotent',
    );
    const names = new Map(rows.map((row) => [row.token, row.name]));
    for (const [item, claim] of held) {
      const name = names.get(claim.token);
      if (name === undefined) lost.push(item);
      else released.push(name);
    }
    return { released, lost, failed: [] };
  }

  async restore(selector: RestoreSelector): Promise<RestoreOutcome> {
    const names: string[] = [];
    const missing: string[] = [];
    for (const name of selector.names ?? []) (parseHandoffName(name)?.done ? names : missing).push(name);
    if (names.length === 0 && selector.batch === undefined && !selector.last) return { restored: [], missing, failed: [] };
    await this.#schema();
    const rows = await this.#driver.query<{ source: string; target: string }>(
      'restore',
      this.#sql.restore,
      [names, selector.batch ?? null, selector.last === true, randomTag()],
      // Not idempotent (the handoffs get new names): sent again only when it never reached the server.
      'once',
    );
    const restored = rows.map((row) => ({ from: row.source, to: row.target }));
    const from = new Set(restored.map((entry) => entry.from));
    for (const name of names) if (!from.has(name)) missing.push(name);
    return { restored, missing, failed: [] };
  }

  async purge(options: { consumedBefore: Date; now: Date }): Promise<PurgeOutcome> {
    await this.#schema();
    const rows = await this.#driver.query<{ name: string }>('cleanup', this.#sql.purge, [options.consumedBefore], 'idempotent');
    return { removed: rows.map((row) => row.name).sort(), temporaryRemoved: [] };
  }

  watch(options: { signal?: AbortSignal } = {}): AsyncIterable<string> {
    return watchPending({
      driver: this.#driver,
      schema: this.#options.schema,
      ready: () => this.#schema(),
      pendingNames: async () =>
        (await this.#driver.query<{ name: string }>('watch', this.#sql.pendingNames, [], 'idempotent')).map((row) => row.name),
      signal: options.signal,
    });
  }

  async copyIn(handoff: StoredHandoff): Promise<'copied' | 'present' | 'conflict'> {
    await this.#schema();
    const parsed = parseHandoffName(handoff.name);
    if (!parsed || handoff.state === 'claimed') throw new TypeError(`copyIn takes pending or consumed handoffs, got ${handoff.name}`);
    const { meta } = decodeHandoff(handoff.data);
    const createdAt = instantOf(meta, parsed);
    const rows = await this.#driver.query<{ outcome: 'copied' | 'present' }>(
      'copy',
      this.#sql.importOne,
      [
        idOfName(handoff.name),
        handoff.name,
        handoff.stamp,
        handoff.slug,
        typeof meta.project === 'string' ? resolve(meta.project) : null,
        createdAt,
        offsetMinutes(meta.created, createdAt),
        Buffer.from(handoff.data),
        JSON.stringify(meta),
        handoff.state,
        handoff.state === 'consumed' ? (handoff.batch ?? null) : null,
        handoff.state === 'consumed' ? (handoff.consumedAt ?? new Date()) : null,
      ],
      'idempotent',
    );
    return rows[0]?.outcome ?? 'conflict';
  }

  close(): Promise<void> {
    return this.#driver.close();
  }
}

function stored(row: Row): StoredHandoff {
  const base = { stamp: row.stamp, slug: row.slug, data: row.data, batch: row.batch ?? undefined };
  if (row.state === 'claimed') {
    const name = formatClaimName(row.batch ?? 'x', row.claim_token!, row.name);
    return { ...base, name, state: 'claimed', leaseExpiresAt: row.lease_expires_at ?? undefined };
  }
  if (row.state === 'consumed') return { ...base, name: row.name, state: 'consumed', consumedAt: row.consumed_at ?? undefined };
  return { ...base, name: row.name, state: 'pending', batch: undefined };
}

/** The items whose claim handles are this store's, with their parts. */
function heldClaims(items: readonly ClaimedItem[]): Map<ClaimedItem, PostgresClaimName> {
  const held = new Map<ClaimedItem, PostgresClaimName>();
  for (const item of items) {
    const claim = parseClaimName(item.claim);
    if (claim) held.set(item, claim);
  }
  return held;
}

/** Random bytes for ids, drawn from the generator 4 KiB at a time rather than 8 bytes a call. */
const idBytes = Buffer.alloc(4096);
let idOffset = idBytes.length;

/** A random positive 63-bit id, as text (the column is bigint). */
function randomId(): string {
  if (idOffset === idBytes.length) {
    randomFillSync(idBytes);
    idOffset = 0;
  }
  // Each id's bytes are used once: two writers never share an id by sharing the buffer.
  const id = idBytes.readBigUInt64BE(idOffset) >> 1n;
  idOffset += 8;
  return id.toString();
}

/** A stable positive 63-bit id for a copied handoff: the same source name always gives the same id. */
function idOfName(name: string): string {
  return (createHash('sha256').update(`copy:${name}`).digest().readBigUInt64BE() >> 1n).toString();
}

/** Ten characters of `[a-z0-9]`, 50 random bits. */
function randomTag(): string {
  return randomBytes(7).readUIntBE(0, 6).toString(36).padStart(10, '0').slice(0, 10);
}

/** The writer's UTC offset in minutes, from the `created` front matter it wrote. */
function offsetMinutes(created: unknown, fallback: Date): number {
  const fields = typeof created === 'string' ? /(?:([+-])(\d{2}):(\d{2})|Z)$/.exec(created) : null;
  if (!fields) return -fallback.getTimezoneOffset();
  if (fields[1] === undefined) return 0;
  return (fields[1] === '-' ? -1 : 1) * (Number(fields[2]) * 60 + Number(fields[3]));
}
