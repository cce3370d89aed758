import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Real git servers on 127.0.0.1 for the git store's tests: `git daemon` with receive-pack enabled,
 * smart HTTP (`git http-backend` behind a small Node server that counts requests and can cut them),
 * and plain `file://`. Each test gets fresh bare repositories under its own root.
 */

const run = promisify(execFile);

/** An isolated git environment: no system or global configuration of this machine, a throw-away HOME. */
export async function isolatedGitEnv(): Promise<{ home: string; env: Record<string, string>; dispose(): Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'handoffs-git-home-'));
  await writeFile(join(home, '.gitconfig'), '[user]\n\tname = Test\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n');
  const env = {
    HOME: home,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    LANG: 'C.UTF-8',
  };
  return { home, env, dispose: () => rm(home, { recursive: true, force: true }) };
}

/** Makes the current process use {@link isolatedGitEnv} (for in-process stores); returns how to undo it. */
export async function isolateProcessGit(): Promise<() => Promise<void>> {
  const isolated = await isolatedGitEnv();
  const saved = { HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL };
  Object.assign(process.env, { HOME: isolated.home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: isolated.env.GIT_CONFIG_GLOBAL });
  return async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await isolated.dispose();
  };
}

/** Runs git with `args`; returns stdout. */
export async function git(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  const { stdout } = await run('git', [...args], { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** A directory of bare repositories, served by any of the servers below. */
export interface RepositoryRoot {
  readonly root: string;
  /** Creates `<name>.git`, pushable over every transport; returns its path. */
  create(name: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function repositoryRoot(): Promise<RepositoryRoot> {
  const root = await mkdtemp(join(tmpdir(), 'handoffs-git-remotes-'));
  return {
    root,
    async create(name) {
      const path = join(root, `${name}.git`);
      await git(['init', '--quiet', '--bare', path]);
      // Smart HTTP refuses pushes from anonymous users unless the repository allows them.
      await git(['--git-dir', path, 'config', 'http.receivepack', 'true']);
      return path;
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/** A running server and how to reach a repository on it. */
export interface GitServer {
  readonly kind: 'daemon' | 'http' | 'file';
  /** The URL of repository `name` (created with {@link RepositoryRoot.create}). */
  url(name: string): string;
  /** Stops serving (connections are refused) until {@link GitServer.start}. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** `file://` URLs: no server; `stop` moves the repositories out of reach. */
export function fileServer(root: RepositoryRoot): GitServer {
  let hidden: string | undefined;
  return {
    kind: 'file',
    url: (name) => `file://${join(root.root, `${name}.git`)}`,
    async stop() {
      hidden = `${root.root}.away`;
      const { rename } = await import('node:fs/promises');
      await rename(root.root, hidden);
    },
    async start() {
      if (!hidden) return;
      const { rename } = await import('node:fs/promises');
      await rename(hidden, root.root);
      hidden = undefined;
    },
  };
}

/** A port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** `git daemon` on 127.0.0.1 with receive-pack enabled, serving every repository of `root`. */
export async function startDaemon(root: RepositoryRoot, env: Record<string, string> = process.env as Record<string, string>): Promise<GitServer & { dispose(): Promise<void> }> {
  const port = await freePort();
  // The daemon binary itself: `git daemon` would run it as a child that outlives a killed `git`.
  const daemon = join((await git(['--exec-path'])).trim(), 'git-daemon');
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child) return;
    child = spawn(
      daemon,
      ['--reuseaddr', '--export-all', '--enable=receive-pack', `--base-path=${root.root}`, '--listen=127.0.0.1', `--port=${port}`, root.root],
      { env, stdio: 'ignore' },
    );
    await waitForPort(port);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { kind: 'daemon', url: (name) => `git://127.0.0.1:${port}/${name}.git`, start, stop, dispose: stop };
}

/** One request the HTTP server saw. */
export interface HttpRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly service: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What the HTTP server may do to a request instead of answering it. */
export type HttpFault =
  /** Cut the connection before git sees the request: nothing applies. */
  | 'cut-before'
  /** Let git handle the request fully, then cut the connection instead of answering: it applied, the client cannot know. */
  | 'cut-after';

/** Smart HTTP: `git http-backend` as CGI behind a Node server on 127.0.0.1. */
export interface HttpGitServer extends GitServer {
  /** Every request so far, in order. */
  readonly requests: HttpRequestRecord[];
  /** Decides a fault per request; none by default. */
  fault: (request: HttpRequestRecord) => HttpFault | undefined;
  dispose(): Promise<void>;
}

export async function startHttp(root: RepositoryRoot, env: Record<string, string> = process.env as Record<string, string>): Promise<HttpGitServer> {
  const requests: HttpRequestRecord[] = [];
  const sockets = new Set<Socket>();
  let port = 0;
  let server: ReturnType<typeof createHttpServer> | undefined;
  const self: HttpGitServer = {
    kind: 'http',
    requests,
    fault: () => undefined,
    url: (name) => `http://127.0.0.1:${port}/${name}.git`,
    start: async () => {
      if (server) return;
      server = createHttpServer((request, response) => handle(request, response));
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => {
          port = (server!.address() as { port: number }).port;
          resolve();
        });
      });
    },
    stop: async () => {
      const running = server;
      server = undefined;
      if (!running) return;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => running.close(resolve));
    },
    dispose: async () => self.stop(),
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const service = url.searchParams.get('service') ?? /\/(git-[a-z-]+)$/.exec(url.pathname)?.[1] ?? undefined;
    const record = { method: request.method ?? 'GET', path: url.pathname, service, headers: { ...request.headers } };
    requests.push(record);
    const fault = self.fault(record);
    if (fault === 'cut-before') return void request.socket.destroy();
    const child = spawn('git', ['http-backend'], {
      env: {
        ...env,
        GIT_PROJECT_ROOT: root.root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: record.method,
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        ...(request.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(request.headers['content-encoding']) } : {}),
        ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: String(request.headers['git-protocol']) } : {}),
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    request.pipe(child.stdin!);
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('close', () => {
      if (fault === 'cut-after') return void request.socket.destroy();
      const output = Buffer.concat(chunks);
      const split = output.indexOf('\r\n\r\n');
      const head = output.subarray(0, split < 0 ? 0 : split).toString('latin1');
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      response.end(output.subarray(split < 0 ? 0 : split + 4));
    });
  };

  await self.start();
  return self;
}

/** A clone of `url` at `dir` (the user's working repository of one "machine"). */
export async function cloneInto(url: string, dir: string, env: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await git(['clone', '--quiet', url, dir], { env });
}
