import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/**
 * Codex's supported, non-interactive way to record trust: its own app server (`codex app-server`,
 * JSON-RPC over stdio, the API the TUI's `/hooks` page uses). `hooks/list` reports each hook's
 * `key` and `currentHash`; `config/batchWrite` stores `hooks.state."<key>".trusted_hash` and
 * `projects."<dir>".trust_level` in the user's config.toml. Codex computes the hash itself, so
 * nothing here depends on how it is computed.
 */

/** A hook as `hooks/list` reports it. */
export interface CodexHookEntry {
  readonly key: string;
  readonly eventName: string;
  readonly command?: string;
  readonly source: string;
  readonly sourcePath: string;
  readonly timeoutSec: number;
  readonly currentHash: string;
  readonly trustStatus: 'managed' | 'untrusted' | 'trusted' | 'modified';
}

/** What `hooks/list` said for one working directory. */
export interface CodexHookList {
  readonly hooks: readonly CodexHookEntry[];
  readonly warnings: readonly string[];
  readonly errors: readonly unknown[];
}

/** Options of {@link withCodexAppServer}. */
export interface CodexAppServerOptions {
  /** The `codex` binary. */
  readonly binary: string;
  /** Its environment (HOME decides which config.toml is read and written). */
  readonly env: Record<string, string>;
  readonly cwd: string;
  /** Each request fails past this. Default: 30 000 ms. */
  readonly timeoutMs?: number;
}

/** The calls the tests make on a running app server. */
export interface CodexAppServer {
  listHooks(cwd: string): Promise<CodexHookList>;
  /** Marks every listed hook that is `untrusted` or `modified` as trusted; returns the keys it trusted. */
  trustHooks(cwd: string): Promise<string[]>;
  /** Records `projects."<dir>".trust_level = "trusted"`, which project-level `.codex/` layers need. */
  trustProject(dir: string): Promise<void>;
}

/** Starts `codex app-server`, initializes it, runs `work` with it and always stops it. */
export async function withCodexAppServer<T>(options: CodexAppServerOptions, work: (server: CodexAppServer) => Promise<T>): Promise<T> {
  const child = spawn(options.binary, ['app-server'], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const rpc = new JsonRpc(child, options.timeoutMs ?? 30_000);
  try {
    await rpc.call('initialize', { clientInfo: { name: 'handoffs-e2e', version: '0' } });
    rpc.notify('initialized');
    const server: CodexAppServer = {
      listHooks: async (cwd) => {
        const result = (await rpc.call('hooks/list', { cwds: [cwd] })) as { data: Array<CodexHookList & { cwd: string }> };
        const entry = result.data[0];
        return { hooks: entry?.hooks ?? [], warnings: entry?.warnings ?? [], errors: entry?.errors ?? [] };
      },
      trustHooks: async (cwd) => {
        const { hooks } = await server.listHooks(cwd);
        const pending = hooks.filter((hook) => hook.trustStatus === 'untrusted' || hook.trustStatus === 'modified');
        if (pending.length === 0) return [];
        const value = Object.fromEntries(pending.map((hook) => [hook.key, { trusted_hash: hook.currentHash }]));
        await rpc.call('config/batchWrite', { edits: [{ keyPath: 'hooks.state', mergeStrategy: 'upsert', value }] });
        return pending.map((hook) => hook.key);
      },
      trustProject: async (dir) => {
        await rpc.call('config/batchWrite', { edits: [{ keyPath: 'projects', mergeStrategy: 'upsert', value: { [dir]: { trust_level: 'trusted' } } }] });
      },
    };
    return await work(server);
  } finally {
    rpc.close();
  }
}

/** Newline-delimited JSON-RPC over a child's stdio; notifications from the server are ignored. */
class JsonRpc {
  private buffer = '';
  private nextId = 1;
  private stderr = '';
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly timeoutMs: number,
  ) {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    child.on('exit', (code) => this.failAll(new Error(`codex app-server exited (${code}): ${this.stderr}`)));
    child.on('error', (error) => this.failAll(error));
  }

  call(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`codex app-server did not answer ${method} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.child.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  notify(method: string): void {
    this.child.stdin.write(`${JSON.stringify({ method })}\n`);
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line === '') continue;
      const message = JSON.parse(line) as { id?: number; result?: unknown; error?: { message?: string } };
      if (typeof message.id !== 'number') continue;
      const waiter = this.pending.get(message.id);
      if (!waiter) continue;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`codex app-server: ${message.error.message ?? JSON.stringify(message.error)}`));
      else waiter.resolve(message.result);
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
