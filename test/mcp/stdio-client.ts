import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The built command, as users run it. */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** One `handoffs mcp` process and the SDK client connected to it over stdio. */
export interface Connected {
  client: Client;
  transport: StdioClientTransport;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  /** Calls a tool; resolves with its result (tool errors included, as `isError`). */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Resolves once the server process has exited (the transport saw it close). */
  exited: Promise<void>;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Arguments after `mcp`. */
  args: string[];
  /** The server's working directory. */
  cwd: string;
  /** The server's environment (nothing else is inherited). */
  env: Record<string, string>;
  /** Workspace roots the client reports (`roots/list`); none: the client has no roots capability. */
  roots?: string[];
}

/** Starts `node dist/cli.js mcp …` through the SDK's own stdio client transport and connects. */
export async function connect(options: ConnectOptions): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', ...options.args],
    cwd: options.cwd,
    env: options.env,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'handoffs-test', version: '1.0.0' }, { capabilities: options.roots ? { roots: { listChanged: true } } : {} });
  if (options.roots) {
    const roots = options.roots;
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: roots.map((uri, index) => ({ uri, name: `root ${index}` })) }));
  }
  const exited = new Promise<void>((resolve) => (client.onclose = resolve));
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => stderr,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    exited,
  };
}

/** The text of a tool result's content. */
export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The structured content of a successful tool result; fails the test on a tool error. */
export function dataOf<T = Record<string, unknown>>(result: CallToolResult): T {
  if (result.isError) throw new Error(`tool error: ${textOf(result)}`);
  return result.structuredContent as T;
}
