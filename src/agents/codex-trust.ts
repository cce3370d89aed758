import { spawn } from 'node:child_process';
import { InitError } from './errors.js';

/**
 * Recording Codex's trust in the hooks init wrote, the way Codex's own TUI does it ("Trust all and
 * continue", `/hooks` then `t`): through `codex app-server`, Codex's published JSON-RPC protocol.
 * `hooks/list` reports each hook's key, its current hash (computed by Codex) and its trust status;
 * `config/batchWrite` records `hooks.state."<key>".trusted_hash = "<hash>"` in the user's
 * config.toml with Codex's own writer. Init never computes a hash: Codex's algorithm is internal
 * and has changed between releases (openai/codex#21615 asks for an installer API and is open).
 * Only hooks whose command is exactly one init wrote are trusted; the result is read back.
 */

/** Options of {@link trustCodexHooks}. */
export interface CodexTrustOptions {
  /** The codex executable. */
  codexBin: string;
  /** Its environment (HOME, CODEX_HOME: the same the agent runs with). */
  env: NodeJS.ProcessEnv;
  /** The folder whose hooks to list (a project's hooks are listed only in a trusted project). */
  cwd: string;
  /** The exact commands of init's hooks. */
  commands: readonly string[];
  /** Called once just before Codex writes config.toml (to back it up). */
  beforeWrite?: () => Promise<void>;
  /** How long to wait for codex in all. Default 30 000 ms. */
  timeoutMs?: number;
}

/** What {@link trustCodexHooks} did. */
export interface CodexTrustResult {
  /** Keys of the hooks trusted now. */
  trusted: string[];
  /** Keys of the hooks that were trusted already. */
  alreadyTrusted: string[];
  /** Commands of init's hooks that Codex did not list (e.g. a project not trusted yet). */
  notListed: string[];
}

interface ListedHook {
  key: string;
  command?: string;
  handlerType: string;
  isManaged: boolean;
  currentHash: string;
  trustStatus: 'managed' | 'untrusted' | 'trusted' | 'modified';
}

/**
 * Trusts init's hooks in Codex (see above).
 *
 * @throws InitError `IO` when codex cannot be run, answers with an error, or still reports a hook
 * untrusted after the write.
 */
export async function trustCodexHooks(options: CodexTrustOptions): Promise<CodexTrustResult> {
  const server = await AppServer.start(options);
  try {
    await server.call('initialize', { clientInfo: { name: 'handoffs', title: 'handoffs init', version: '1' }, capabilities: null });
    server.notify('initialized');
    const ours = async () => {
      const listed = (await server.call('hooks/list', { cwds: [options.cwd] })) as { data: Array<{ hooks: ListedHook[] }> };
      return listed.data.flatMap((entry) => entry.hooks).filter((hook) => hook.handlerType === 'command' && !hook.isManaged && options.commands.includes(hook.command ?? ''));
    };
    const before = await ours();
    const pending = before.filter((hook) => hook.trustStatus === 'untrusted' || hook.trustStatus === 'modified');
    if (pending.length > 0) {
      await options.beforeWrite?.();
      const state = Object.fromEntries(pending.map((hook) => [hook.key, { trusted_hash: hook.currentHash }]));
      await server.call('config/batchWrite', { edits: [{ keyPath: 'hooks.state', value: state, mergeStrategy: 'upsert' }], reloadUserConfig: false });
      const after = await ours();
      const still = after.filter((hook) => hook.trustStatus !== 'trusted').map((hook) => hook.key);
      if (still.length > 0) throw new InitError('IO', `codex still reports these hooks untrusted after the write: ${still.join(', ')}`);
    }
    const listedCommands = new Set(before.map((hook) => hook.command));
    return {
      trusted: pending.map((hook) => hook.key),
      alreadyTrusted: before.filter((hook) => hook.trustStatus === 'trusted').map((hook) => hook.key),
      notListed: options.commands.filter((command) => !listedCommands.has(command)),
    };
  } finally {
    server.close();
  }
}

/** A `codex app-server` child speaking JSON-RPC, one JSON message a line, over stdio. */
class AppServer {
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  #nextId = 0;
  #buffer = '';
  #failure: Error | undefined;

  private constructor(
    private readonly child: ReturnType<typeof spawn>,
    private readonly timer: NodeJS.Timeout,
  ) {}

  static async start(options: CodexTrustOptions): Promise<AppServer> {
    const child = spawn(options.codexBin, ['app-server'], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => server.fail(new InitError('IO', `codex app-server did not answer within ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
    const server = new AppServer(child, timer);
    child.on('error', (error) => server.fail(new InitError('IO', `cannot run ${options.codexBin}: ${error.message}`, { cause: error })));
    child.on('exit', (code) => server.fail(new InitError('IO', `codex app-server exited (${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`)));
    child.stdout!.on('data', (chunk: Buffer) => server.receive(chunk.toString()));
    return server;
  }

  call(method: string, params: unknown): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  notify(method: string): void {
    this.child.stdin!.write(`${JSON.stringify({ method })}\n`);
  }

  close(): void {
    clearTimeout(this.timer);
    this.child.removeAllListeners('exit');
    this.child.kill();
  }

  private receive(text: string): void {
    this.#buffer += text;
    for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n')) {
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      let message: { id?: number; result?: unknown; error?: { message?: string } };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        continue;
      }
      const waiter = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!waiter || message.id === undefined) continue; // a notification, or a request to the client we do not serve
      this.#pending.delete(message.id);
      if (message.error) waiter.reject(new InitError('IO', `codex app-server: ${message.error.message ?? 'error'}`));
      else waiter.resolve(message.result);
    }
  }

  private fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
  }
}
