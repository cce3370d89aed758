import { inspect } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeHandoff, HandoffStore, postgresStore, type HandoffStoreOptions, type PostgresStore } from '../../src/index.js';
import { startProxy, type PostgresProxy } from '../support/postgres-server.mjs';
import { freshSchema, usePostgres, withSchema } from '../support/postgres.js';

const server = usePostgres();

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((each) => each.close().catch(() => {})));
});

function backend(url: string, options: Partial<Parameters<typeof postgresStore>[0]> = {}): PostgresStore {
  const created = postgresStore({ url, ...options });
  open.push(created);
  return created;
}

function store(options: Partial<HandoffStoreOptions>): HandoffStore {
  const created = new HandoffStore({ onWarning: () => {}, ...options } as HandoffStoreOptions);
  open.push(created);
  return created;
}

/** A client of the test server outside the store, to look at what the store did. */
async function admin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: server().url });
  await client.connect();
  open.push({ close: () => client.end() });
  return client;
}

/** Everything an error carries, as text: message, stack, own properties, causes. */
function everything(error: unknown): string {
  return `${inspect(error, { depth: 10, showHidden: true })}\n${JSON.stringify(error, Object.getOwnPropertyNames(error))}`;
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('PostgreSQL store', () => {
  describe('schema', () => {
    it('is created on first use, each migration applied once however many stores start at once', async () => {
      const schema = freshSchema('migrate');
      const url = withSchema(server().url, schema);
      const stores = Array.from({ length: 12 }, () => backend(url));
      const applied = await Promise.all(stores.map((each) => each.migrate()));
      expect(applied.reduce((sum, count) => sum + count, 0)).toBe(2);
      const { rows } = await (await admin()).query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
      expect(await backend(url).migrate()).toBe(0);
    });

    it('keeps the documented columns, one row per handoff, the instant with its offset', async () => {
      const schema = freshSchema('layout');
      const s = store({ store: withSchema(server().url, schema), timeZone: 'local', now: () => new Date('2026-11-25T12:00:00.000Z') });
      const written = await s.write({ slug: 'layout', body: 'the body', meta: { project: '/work/p', tags: ['a'] } });
      const { rows } = await (await admin()).query(
        `SELECT name, stamp, slug, project, created_at, created_offset_minutes, convert_from(data, 'UTF8') AS data, meta, state
         FROM "${schema}".handoffs`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        name: written.name,
        slug: 'layout',
        project: '/work/p',
        created_at: new Date('2026-11-25T12:00:00.000Z'),
        meta: { project: '/work/p', tags: ['a'] },
        state: 'pending',
      });
      expect(rows[0].data.endsWith('\n---\nthe body')).toBe(true);
    });

    it('refuses a row whose state and columns disagree', async () => {
      const schema = freshSchema('check');
      await backend(withSchema(server().url, schema)).migrate();
      const client = await admin();
      let id = 0;
      /** The SQLSTATE of inserting a row with these columns, or undefined when it is taken. */
      const insert = async (columns: Record<string, string>): Promise<string | undefined> => {
        id++;
        const names = ['id', 'name', 'stamp', 'slug', 'created_at', 'created_offset_minutes', 'data', 'meta', ...Object.keys(columns)];
        const values = [String(id), `'n${id}.md'`, "'s'", "'n'", 'now()', '0', "''", "'{}'", ...Object.values(columns)];
        return client.query(`INSERT INTO "${schema}".handoffs (${names.join(', ')}) VALUES (${values.join(', ')})`).then(
          () => undefined,
          (error: { code?: string }) => error.code,
        );
      };
      expect(await insert({ state: "'lost'" })).toBe('23514');
      expect(await insert({ state: "'claimed'", claim_token: "'t'" })).toBe('23514');
      expect(await insert({ state: "'claimed'", lease_expires_at: 'now()' })).toBe('23514');
      expect(await insert({ state: "'consumed'" })).toBe('23514');
      expect(await insert({ state: "'claimed'", claim_token: "'t'", lease_expires_at: 'now()' })).toBeUndefined();
      expect(await insert({ state: "'consumed'", consumed_at: 'now()' })).toBeUndefined();
      expect(await insert({ state: "'pending'" })).toBeUndefined();
    });

    it('keeps as meta exactly the front matter a reader parses, however the block is closed', async () => {
      const schema = freshSchema('meta');
      const target = backend(withSchema(server().url, schema));
      const texts = [
        '---\ncreated: "2026-11-25T12:00:00.000Z"\ntags: ["a"]\n---\nbody\n---\nlater: "not meta"\n',
        '---\r\nproject: "/work/p"\r\n---\r\nbody',
        '---\nplain: some text---\nbody',
        '---\nfirst: 1\n---x\nsecond: 2\n---\nbody',
        '---\n---\nempty block',
        '---\nkey: "unclosed"\n',
        'no front matter\n---\nkey: 1\n---\n',
        '---\nname: "é 🚀"\n---  \nbody',
      ];
      for (const [index, text] of texts.entries()) {
        const data = Buffer.from(text);
        await target.publish({ stamp: '2026-11-25_120000', slug: `m${index}`, createdAt: new Date(), project: undefined, data });
      }
      const { rows } = await (await admin()).query(`SELECT data, meta FROM "${schema}".handoffs ORDER BY slug`);
      expect(rows.map((row: { meta: unknown }) => row.meta)).toEqual(rows.map((row: { data: Buffer }) => decodeHandoff(row.data).meta));
      expect(rows.map((row: { data: Buffer }) => row.data.toString())).toEqual(texts);
    });

    it("records the writer's UTC offset beside the instant", async () => {
      const schema = freshSchema('offset');
      const target = backend(withSchema(server().url, schema));
      const data = Buffer.from('---\ncreated: "2026-11-01T01:15:00.000-05:00"\n---\nwritten in New York\n');
      const name = '2026-11-01_011500_ny.md';
      expect(await target.copyIn({ name, stamp: '2026-11-01_011500', slug: 'ny', state: 'pending', data })).toBe('copied');
      const { rows } = await (await admin()).query(`SELECT created_at, created_offset_minutes FROM "${schema}".handoffs`);
      expect(rows).toEqual([{ created_at: new Date('2026-11-01T06:15:00.000Z'), created_offset_minutes: -300 }]);
    });
  });

  describe('credentials', () => {
    it('never puts the password in an error: wrong password, closed port, unparsable URL', async () => {
      const { password, port } = server();
      const secret = `${password}Z`;
      const wrong = `postgres://handoffs:${secret}@127.0.0.1:${port}/postgres?schema=${freshSchema()}`;
      // Port 1: nothing listens there (connections are refused, retried only while retryForMs lasts).
      const closedPort = `postgres://handoffs:${secret}@127.0.0.1:1/postgres`;
      const unparsable = `postgres://handoffs:${secret}@127.0.0.1:${port}:99/postgres`;
      const errors = [
        await failure(() => store({ store: wrong }).write({ slug: 'x', body: 'x' })),
        await failure(() => backend(closedPort, { retryForMs: 0 }).list({ consumed: false })),
        await failure(async () => postgresStore({ url: unparsable })),
        await failure(() => store({ store: unparsable }).list()),
      ];
      expect(errors.map((error) => (error as { code?: string }).code)).toEqual(['IO', 'IO', 'INVALID_OPTION', 'INVALID_OPTION']);
      // The failure itself is reported: authentication (28P01), connection refused.
      expect(errorCodeOfCause(errors[0])).toBe('28P01');
      expect(errorCodeOfCause(errors[1])).toBe('ECONNREFUSED');
      for (const error of errors) expect(everything(error)).not.toContain(secret);
    });

    it('shows where the store is without user, password or query', async () => {
      const url = `postgres://handoffs:${server().password}@127.0.0.1:${server().port}/postgres?password=${server().password}&application_name=x`;
      expect(backend(url).location).toBe(`postgres://127.0.0.1:${server().port}/postgres`);
      expect(store({ store: url }).location).not.toContain(server().password);
      expect(store({ store: url }).location).not.toContain('handoffs:');
    });
  });

  describe('TLS from the URL', () => {
    it('encrypts when the URL asks, verifies the certificate, and stays plain when told to', async (context) => {
      const { tls } = server();
      // The test server presents a certificate only when openssl was there to make one.
      if (!tls) return context.skip('no openssl on this machine to make a certificate');
      const ca = tls.caFile;
      const schema = freshSchema('tls');
      const encrypted = async (query: string): Promise<boolean> => {
        const url = `${withSchema(server().url, schema)}&application_name=${freshSchema('app')}&${query}`;
        const s = backend(url);
        await s.list({ consumed: false });
        const { rows } = await (await admin()).query(
          'SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1',
          [new URL(url).searchParams.get('application_name')],
        );
        // The store's own connection, found by the name the URL gave it.
        expect(rows).toHaveLength(1);
        return rows[0].ssl === true;
      };
      expect(await encrypted('sslmode=disable')).toBe(false);
      expect(await encrypted(`sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`)).toBe(true);
      expect(await encrypted('sslmode=require&uselibpqcompat=true')).toBe(true);
      // A certificate no trusted authority signed is refused: the connection never happens.
      const refused = await failure(() => backend(`${withSchema(server().url, schema)}&sslmode=verify-full`, { retryForMs: 0 }).list({ consumed: false }));
      expect((refused as { code?: string }).code).toBe('IO');
      expect(everything(refused)).toMatch(/self[- ]signed|certificate/i);
    });
  });

  describe('leases', () => {
    it("are judged by the server's clock by default: a worker whose clock runs ahead takes over nothing live", async () => {
      const url = withSchema(server().url, freshSchema('clock'));
      await store({ store: url }).write({ slug: 'held', body: 'held' });
      const holder = await store({ store: url }).claim({ leaseMs: 60_000 });
      expect(holder.handoffs).toHaveLength(1);
      const ahead = store({ store: url, now: () => new Date(Date.now() + 3_600_000) });
      expect((await ahead.claim()).handoffs).toEqual([]);
      expect((await holder.acknowledge()).lost).toEqual([]);
    });

    it("follow each request's clock with leaseClock 'client' (for simulated time)", async () => {
      const url = withSchema(server().url, freshSchema('clock'));
      let clock = Date.parse('2026-11-25T12:00:00.000Z');
      const client = (): HandoffStore => store({ store: postgresStore({ url, leaseClock: 'client' }), now: () => new Date(clock) });
      await client().write({ slug: 'held', body: 'held' });
      const holder = await client().claim({ leaseMs: 60_000 });
      clock += 59_000;
      expect((await client().claim()).handoffs).toEqual([]);
      clock += 2_000;
      expect((await client().claim()).handoffs.map((handoff) => handoff.redelivered)).toEqual([true]);
      expect((await holder.acknowledge()).lost.map((handoff) => handoff.name)).toEqual([holder.handoffs[0]!.name]);
    });
  });

  describe('faults', () => {
    let proxy: PostgresProxy;
    const through = async (schema: string): Promise<string> => {
      proxy = await startProxy(server().port);
      open.push(proxy);
      const url = new URL(withSchema(server().url, schema));
      url.port = String(proxy.port);
      url.searchParams.set('sslmode', 'disable');
      return url.toString();
    };

    it('a write whose reply is lost after it committed is not written twice', async () => {
      const schema = freshSchema('lost');
      const s = store({ store: await through(schema) });
      await s.list();
      const lost = proxy.loseReplyTo('h_publishFirst_');
      const written = await s.write({ slug: 'once', body: 'only once' });
      await lost;
      expect(written.name).toMatch(/_once\.md$/);
      expect((await s.list()).map((ref) => ref.name)).toEqual([written.name]);
    });

    it('a claim whose reply is lost is sent again and returns the same handoffs, not redelivered', async () => {
      const schema = freshSchema('lost');
      const s = store({ store: await through(schema) });
      for (let index = 0; index < 5; index++) await s.write({ slug: `h${index}`, body: String(index) });
      const lost = proxy.loseReplyTo('h_claim_');
      const claim = await s.claim();
      await lost;
      expect(claim.handoffs.map((handoff) => [handoff.body, handoff.redelivered])).toEqual(
        ['0', '1', '2', '3', '4'].map((body) => [body, false]),
      );
      expect((await store({ store: withSchema(server().url, schema) }).claim()).handoffs).toEqual([]);
      const acknowledged = await claim.acknowledge();
      expect([acknowledged.handoffs.length, acknowledged.lost]).toEqual([5, []]);
    });

    it('an acknowledgement whose reply is lost still reports every handoff acknowledged', async () => {
      const schema = freshSchema('lost');
      const s = store({ store: await through(schema) });
      await s.write({ slug: 'a', body: 'a' });
      await s.write({ slug: 'b', body: 'b' });
      const claim = await s.claim();
      const lost = proxy.loseReplyTo('h_acknowledge_');
      const acknowledged = await claim.acknowledge();
      await lost;
      expect([acknowledged.handoffs.map((handoff) => handoff.body), acknowledged.lost]).toEqual([['a', 'b'], []]);
      expect((await s.list({ consumed: true })).map((ref) => ref.state)).toEqual(['consumed', 'consumed']);
    });

    it('a claim whose connection is cut while it waits is retried on a new connection; nothing is lost', async () => {
      const schema = freshSchema('cut');
      const url = withSchema(server().url, schema);
      const s = store({ store: url });
      for (let index = 0; index < 3; index++) await s.write({ slug: `c${index}`, body: String(index) });
      const blocker = await admin();
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".handoffs IN ACCESS EXCLUSIVE MODE`);
      const claiming = store({ store: url }).claim();
      const killer = await admin();
      let killed = 0;
      for (let tries = 0; killed === 0 && tries < 200; tries++) {
        const { rows } = await killer.query(
          "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query LIKE '%FOR UPDATE SKIP LOCKED%' AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
        );
        killed = rows.length;
        if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(killed).toBe(1);
      await blocker.query('COMMIT');
      const claim = await claiming;
      expect(claim.handoffs.map((handoff) => [handoff.body, handoff.redelivered])).toEqual([
        ['0', false],
        ['1', false],
        ['2', false],
      ]);
      expect((await claim.acknowledge()).lost).toEqual([]);
    });

    it('a connection cut while it sits unused between calls is not handed to the next call', async () => {
      const url = withSchema(server().url, freshSchema('idle'));
      const s = store({ store: url });
      await s.write({ slug: 'a', body: 'a' });
      await s.consume();
      const { rows } = await (await admin()).query(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'handoffs' AND pid <> pg_backend_pid()",
      );
      expect(rows.length).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A restore is sent at most once (it renames): it must find a live connection first time.
      expect((await s.restore({ last: true })).restored).toHaveLength(1);
    });

    it('with one connection, calls made at once wait their turn and all complete', async () => {
      const url = withSchema(server().url, freshSchema('one'));
      const s = store({ store: postgresStore({ url, maxConnections: 1 }) });
      const written = await Promise.all(Array.from({ length: 20 }, (_, index) => s.write({ slug: `w${index}`, body: String(index) })));
      expect(new Set(written.map((ref) => ref.name)).size).toBe(20);
      const [claim, listed] = await Promise.all([s.claim({ limit: 5 }), s.list(), s.write({ slug: 'late', body: 'late' })]);
      expect(claim.handoffs).toHaveLength(5);
      expect(listed.length).toBeGreaterThanOrEqual(20);
      expect((await claim.acknowledge()).lost).toEqual([]);
      expect((await s.consume()).handoffs).toHaveLength(16);
    });

    it('rides out a server restart: the next call waits for the server and succeeds', async () => {
      const url = withSchema(server().url, freshSchema('restart'));
      const s = store({ store: url });
      await s.write({ slug: 'before', body: 'before' });
      await server().restart({ crash: true, downMs: 300 });
      await s.write({ slug: 'after', body: 'after' });
      expect((await s.consume()).handoffs.map((handoff) => handoff.body).sort()).toEqual(['after', 'before']);
    });
  });

  describe('watch', () => {
    it('yields what is pending, then each handoff as it is written or released, until aborted', async () => {
      const url = withSchema(server().url, freshSchema('watch'));
      const writer = store({ store: url });
      const early = await writer.write({ slug: 'early', body: 'before watching' });
      const watcher = backend(url);
      const controller = new AbortController();
      const seen: string[] = [];
      const watching = (async () => {
        for await (const name of watcher.watch({ signal: controller.signal })) seen.push(name);
      })();
      const until = async (count: number) => {
        for (let tries = 0; seen.length < count && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      await until(1);
      const later = await writer.write({ slug: 'later', body: 'while watching' });
      await until(2);
      const claim = await store({ store: url }).claim({ limit: 1 });
      await claim.release();
      await until(3);
      controller.abort();
      await watching;
      // Released, it is pending again under the same name, and announced again.
      expect(seen).toEqual([early.name, later.name, early.name]);
    });

    it('announces a write that found its name taken under the name it got (the taken name may be seen again)', async () => {
      const url = withSchema(server().url, freshSchema('watch'));
      const instant = new Date('2026-11-25T12:00:00.000Z');
      const writer = store({ store: url, now: () => instant, timeZone: 'utc' });
      const watcher = backend(url);
      const controller = new AbortController();
      const seen: string[] = [];
      const watching = (async () => {
        for await (const name of watcher.watch({ signal: controller.signal })) seen.push(name);
      })();
      // Listening once the pending listing (empty) is done: wait for a first announcement.
      const first = await writer.write({ slug: 'same', body: 'first' });
      for (let tries = 0; seen.length < 1 && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      const second = await writer.write({ slug: 'same', body: 'second' });
      expect([first.name, second.name]).toEqual(['2026-11-25_120000_same.md', '2026-11-25_120000_same-2.md']);
      for (let tries = 0; !seen.includes(second.name) && tries < 500; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort();
      await watching;
      expect(seen).toContain(second.name);
      expect(new Set(seen)).toEqual(new Set([first.name, second.name]));
    });
  });
});

function errorCodeOfCause(error: unknown): string | undefined {
  return ((error as { cause?: { code?: string } }).cause ?? {}).code;
}
