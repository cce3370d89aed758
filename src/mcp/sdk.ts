import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/**
 * The MCP SDK, loaded on demand. `@modelcontextprotocol/sdk` is an optional peer dependency: it adds
 * ~29 MB and ~100 packages to an install, which every user of the library and of the session hooks
 * would pay for a command few of them run. Nothing outside `handoffs mcp` imports this module.
 */

/** The zod namespace the tool schemas are built with (v4 API: zod 4, or zod 3.25's `zod/v4`). */
export type Zod = typeof import('zod/v4');

/** What the server needs from the SDK. */
export interface McpSdk {
  McpServer: typeof McpServer;
  StdioServerTransport: typeof StdioServerTransport;
  /** The SDK's own zod, so the schemas are ones the SDK's validator and JSON Schema converter accept. */
  z: Zod;
  /** The SDK's version, e.g. `1.32.2`. */
  version: string;
}

/** Stable code of {@link McpSdkError}. */
export type McpSdkErrorCode = 'MCP_SDK_MISSING';

/** The SDK cannot be loaded: not installed next to handoffs, or an incompatible copy. */
export class McpSdkError extends Error {
  override readonly name = 'McpSdkError';
  readonly code: McpSdkErrorCode = 'MCP_SDK_MISSING';
}

/** The SDK version range this server is built and tested against (also the peer range in package.json). */
export const SDK_RANGE = '~1.32.2';

const SDK = '@modelcontextprotocol/sdk';

let loading: Promise<McpSdk> | undefined;

/**
 * Loads the SDK and its zod once.
 *
 * zod is resolved from the SDK's own location, not from here: in a global install
 * (`npm i -g handoffs @modelcontextprotocol/sdk`) each package has its own tree, and zod, the SDK's
 * dependency, sits inside the SDK's folder where `import('zod')` from handoffs would not find it.
 *
 * @throws McpSdkError `MCP_SDK_MISSING`, with the install command in its message.
 */
export function loadMcpSdk(): Promise<McpSdk> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<McpSdk> {
  let mcp: typeof import('@modelcontextprotocol/sdk/server/mcp.js');
  let stdio: typeof import('@modelcontextprotocol/sdk/server/stdio.js');
  try {
    [mcp, stdio] = await Promise.all([import('@modelcontextprotocol/sdk/server/mcp.js'), import('@modelcontextprotocol/sdk/server/stdio.js')]);
  } catch (error) {
    throw new McpSdkError(
      `handoffs mcp needs ${SDK} ${SDK_RANGE}, which is not installed with handoffs (it is optional, to keep the install small). ` +
        `Install it next to handoffs: npm install -g ${SDK}@${SDK_RANGE} (or without -g in a project). ` +
        `(${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      { cause: error },
    );
  }
  const require = createRequire(import.meta.url);
  const sdkEntry = require.resolve(`${SDK}/server/mcp.js`);
  const sdkRoot = await packageRoot(sdkEntry, SDK);
  const { version } = JSON.parse(await readFile(join(sdkRoot, 'package.json'), 'utf8')) as { version: string };
  const z = await importAsEsm(createRequire(sdkEntry), 'zod', './v4');
  return { McpServer: mcp.McpServer, StdioServerTransport: stdio.StdioServerTransport, z: z as Zod, version };
}

/** The folder of the package `name` that `file` belongs to. */
async function packageRoot(file: string, name: string): Promise<string> {
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === name) return dir;
    } catch {
      // No manifest here (the SDK's dist folders carry a `{ "type": "module" }` one without a name): go up.
    }
  }
  throw new McpSdkError(`cannot find the ${name} package folder from ${file}`);
}

/**
 * Imports `name` + `subpath` as the resolver `require` sees it, through the package's ESM entry (its
 * `exports[subpath].import`), so the module is the same instance the SDK's own ESM imports load.
 */
async function importAsEsm(require: NodeJS.Require, name: string, subpath: string): Promise<unknown> {
  const manifestPath = require.resolve(`${name}/package.json`);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { exports?: Record<string, { import?: unknown } | string> };
  const entry = manifest.exports?.[subpath];
  const target = typeof entry === 'object' && typeof entry.import === 'string' ? entry.import : undefined;
  if (target === undefined) throw new McpSdkError(`${name} has no ESM entry for ${subpath}; ${SDK} ${SDK_RANGE} needs zod ^3.25 or ^4`);
  return import(pathToFileURL(join(dirname(manifestPath), target)).href);
}
