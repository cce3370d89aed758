// Git servers on 127.0.0.1 for the git store's stress run and benchmarks (the tests' own are in
// test/support/git-server.ts): git daemon with receive-pack, smart HTTP through git http-backend,
// or plain file://.
import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function waitForPort(port) {
  for (let tries = 0; tries < 400; tries++) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Serves every bare repository under `root` over `transport`; `url(name)` is `<name>.git`'s URL. */
export async function startServer(transport, root, env) {
  if (transport === 'file') return { url: (name) => `file://${join(root, `${name}.git`)}`, dispose: async () => {} };
  if (transport === 'daemon') {
    const port = await freePort();
    const daemon = join((await run('git', ['--exec-path'], { env })).stdout.trim(), 'git-daemon');
    const child = spawn(daemon, ['--reuseaddr', '--export-all', '--enable=receive-pack', `--base-path=${root}`, '--listen=127.0.0.1', `--port=${port}`, '--max-connections=64', root], {
      env,
      stdio: 'ignore',
    });
    await waitForPort(port);
    return {
      url: (name) => `git://127.0.0.1:${port}/${name}.git`,
      dispose: async () => {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      },
    };
  }
  if (transport === 'http') {
    const requests = [];
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      requests.push(`${request.method} ${url.pathname}`);
      const child = spawn('git', ['http-backend'], {
        env: {
          ...env,
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: '1',
          REQUEST_METHOD: request.method,
          PATH_INFO: url.pathname,
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: request.headers['content-type'] ?? '',
          ...(request.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] } : {}),
          ...(request.headers['git-protocol'] ? { GIT_PROTOCOL: request.headers['git-protocol'] } : {}),
        },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      request.pipe(child.stdin);
      const chunks = [];
      child.stdout.on('data', (chunk) => chunks.push(chunk));
      child.once('close', () => {
        const output = Buffer.concat(chunks);
        const split = output.indexOf('\r\n\r\n');
        let status = 200;
        const headers = {};
        for (const line of output.subarray(0, Math.max(0, split)).toString('latin1').split('\r\n')) {
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
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    return {
      requests,
      url: (name) => `http://127.0.0.1:${port}/${name}.git`,
      dispose: () => new Promise((resolve) => server.close(resolve)),
    };
  }
  throw new Error(`unknown transport ${transport}`);
}
