import type { ParseArgsConfig } from 'node:util';
import { openStore } from './store.js';
import type { ProjectScope } from '../mcp/project.js';
import { optionalCount, resolveHome, UsageError, type Io, type Parsed } from './args.js';

/**
 * `handoffs mcp`: argument handling only. The server (src/mcp/) and the MCP SDK are loaded when
 * the command runs, so no other command, and no session hook, ever loads them.
 */

declare const __HANDOFFS_VERSION__: string;

const HELP = `Usage: handoffs mcp [--dir DIR] [--memory-dir DIR] [--project DIR] [--lease-ms N]

Serves handoffs and memory as an MCP server over stdio, for agents whose hooks cannot inject
context (Cursor, Windsurf, Cline, desktop chat apps). Tools: write_handoff, claim_handoffs,
acknowledge_handoffs, release_handoffs, list_handoffs, read_handoff, search_memory, read_memory,
add_memory. Claims the client never acknowledges are given back when the server stops.

Needs @modelcontextprotocol/sdk ~1.32.2 installed next to handoffs (an optional dependency):
  npm install -g handoffs @modelcontextprotocol/sdk@~1.32.2

  --dir DIR         handoffs directory (default $HANDOFFS_DIR or ~/.claude/handoffs)
  --memory-dir DIR  memory folder (default $HANDOFFS_MEMORY_DIR, else as 'handoffs memory')
  --project DIR     the project handoffs are scoped to (default: the client's first workspace
                    root if it reports one, else the current directory); its git root is used
  --lease-ms N      how long a claim is held for the client before another session may take it
                    over (default 300000)

Client configuration (Cursor's .cursor/mcp.json, Claude Desktop's claude_desktop_config.json, …):
  { "mcpServers": { "handoffs": { "command": "handoffs", "args": ["mcp"] } } }`;

/** The `mcp` command, in the shape `main` runs its commands. */
export const mcpCommand = {
  help: HELP,
  options: {
    'memory-dir': { type: 'string' },
    project: { type: 'string' },
    'lease-ms': { type: 'string' },
  } satisfies ParseArgsConfig['options'],
  run: runMcp,
};

async function runMcp({ values }: Parsed, io: Io): Promise<number> {
  const leaseMs = optionalCount(values, 'lease-ms');
  if (leaseMs === 0) throw new UsageError('--lease-ms must be at least 1');
  const { serveStdio } = await import('../mcp/stdio.js');
  const store = openStore(values, io);
  await serveStdio({
    store,
    memoryDir: (project) => memoryDir(values, io, project),
    project: typeof values.project === 'string' ? resolveHome(values.project) : undefined,
    cwd: io.cwd,
    leaseMs,
    version: __HANDOFFS_VERSION__,
    stdin: io.stdin as NodeJS.ReadStream,
    stdout: io.stdout as NodeJS.WriteStream,
    stderr: io.stderr as NodeJS.WriteStream,
  });
  return 0;
}

/**
 * The memory folder for a project: the same choice as `handoffs memory` makes (the one call site
 * to change when that choice changes; it may depend on the project, as Claude Code's per-project
 * auto memory does).
 */
/** The same folder the `memory` commands use: Claude Code's auto memory of the project, unless overridden. */
async function memoryDir(values: Parsed['values'], io: Io, project: ProjectScope): Promise<string> {
  const { memoryTarget } = await import('./memory.js');
  return (await memoryTarget(values, { env: io.env, cwd: project.root })).dir;
}
