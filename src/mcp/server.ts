import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { HandoffStore } from '../handoff/store.js';
import { OpenClaims } from './claims.js';
import { registerHandoffTools } from './handoff-tools.js';
import { registerMemoryTools } from './memory-tools.js';
import { resolveProject, type ProjectScope } from './project.js';
import type { McpSdk } from './sdk.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** The handoffs store the tools read and write. */
  store: HandoffStore;
  /** The memory folder for a project (the one `handoffs memory` uses there). */
  memoryDir: (project: ProjectScope) => Promise<string>;
  /** The project to act for. Default: the client's first root, else `cwd`. */
  project?: string;
  /** Working directory, the last resort for the project. Default `process.cwd()`. */
  cwd?: string;
  /** Lease of claims, in ms. Default 300 000 (5 minutes; see `DEFAULT_LEASE_MS`). */
  leaseMs?: number;
  /** Default line budget of a claim's merged text. Default 200, as `handoffs start`. */
  maxLines?: number;
  /** Server version reported to clients. */
  version: string;
}

/**
 * Default lease of a claim made through MCP. A model acknowledges in a later tool call than the
 * claim, after reading, sometimes a few turns later; the store's 60 s default would often hand
 * the same handoffs to a second session meanwhile. A holder that dies is detected at once on the
 * same host, so the lease only delays a live holder that never acknowledges.
 */
export const DEFAULT_LEASE_MS = 300_000;

/** A server and the claims it holds, to release on shutdown. */
export interface HandoffsMcpServer {
  server: McpServer;
  claims: OpenClaims;
}

/**
 * The handoffs MCP server, not yet connected to a transport: its tools over `options.store` and the
 * memory folder. Connect it (`server.connect(transport)`), and call `claims.close()` on shutdown.
 */
export function createMcpServer(sdk: McpSdk, options: McpServerOptions): HandoffsMcpServer {
  const server = new sdk.McpServer(
    { name: 'handoffs', title: 'handoffs: context handoffs and memory across agent sessions', version: options.version },
    {
      capabilities: { tools: {} },
      instructions:
        "This server carries context between agent sessions on the same project. At the start of a session, call claim_handoffs to receive what earlier sessions left (then acknowledge_handoffs); before you finish, call write_handoff with what the next session needs. Use search_memory / read_memory for the project's lasting notes and add_memory to keep new ones.",
    },
  );
  const claims = new OpenClaims();
  const cwd = options.cwd ?? process.cwd();
  const clientRoots = async (): Promise<readonly string[] | undefined> => {
    if (!server.server.getClientCapabilities()?.roots) return undefined;
    // A client that announces roots but never answers must not hold every tool call for the SDK's 60 s.
    const { roots } = await server.server.listRoots(undefined, { timeout: 5_000 });
    return roots.map((root) => root.uri);
  };
  const context = {
    store: options.store,
    claims,
    z: sdk.z,
    project: () => resolveProject({ project: options.project, cwd, clientRoots }),
    memoryDir: options.memoryDir,
    client: () => server.server.getClientVersion(),
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    maxLines: options.maxLines ?? 200,
  };
  registerHandoffTools(server, context);
  registerMemoryTools(server, context);
  return { server, claims };
}
