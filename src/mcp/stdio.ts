import type { Readable, Writable } from 'node:stream';
import { loadMcpSdk } from './sdk.js';
import { createMcpServer, type McpServerOptions } from './server.js';

/** Options of {@link serveStdio}. */
export interface StdioOptions extends McpServerOptions {
  /** Where requests come from. Default `process.stdin`. */
  stdin?: Readable;
  /** Where responses go; nothing else may be written there. Default `process.stdout`. */
  stdout?: Writable;
  /** Where diagnostics go. Default `process.stderr`. */
  stderr?: Writable;
  /** Signals that stop the server cleanly. Default SIGINT, SIGTERM, SIGHUP. */
  signals?: readonly NodeJS.Signals[];
}

/**
 * Serves the handoffs MCP server over stdio until the client goes away (stdin ends), the transport
 * closes, or a stop signal arrives. On the way out every claim the client did not acknowledge is
 * released, so the next session receives those handoffs at once rather than after the lease.
 *
 * @throws McpSdkError `MCP_SDK_MISSING` when the SDK is not installed.
 */
export async function serveStdio(options: StdioOptions): Promise<void> {
  const sdk = await loadMcpSdk();
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const { server, claims } = createMcpServer(sdk, options);
  server.server.onerror = (error) => stderr.write(`handoffs mcp: ${error.message}\n`);

  let stopped: () => void = () => {};
  const done = new Promise<void>((resolve) => (stopped = resolve));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const { released } = await claims.close();
      if (released.length > 0) stderr.write(`handoffs mcp: gave back ${released.length} unacknowledged handoff(s)\n`);
      await server.close().catch(() => {});
      stopped();
    })());

  const signals = options.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, stop);
  stdin.once('end', stop);
  stdin.once('close', stop);
  server.server.onclose = () => void stop();
  try {
    await server.connect(new sdk.StdioServerTransport(stdin, stdout));
    stderr.write(`handoffs mcp ${options.version} (SDK ${sdk.version}): handoffs in ${options.store.location}, serving on stdio\n`);
    await done;
  } finally {
    for (const signal of signals) process.off(signal, stop);
    stdin.off('end', stop);
    stdin.off('close', stop);
    // The transport only pauses stdin; a pipe still open (a stop by signal) would keep the process alive.
    stdin.destroy();
  }
}
