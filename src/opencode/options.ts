import { DEFAULT_HANDOFFS_DIR } from '../cli/store.js';
import { HandoffStore } from '../handoff/store.js';
import { resolveHome } from '../cli/args.js';

/**
 * Options of the OpenCode plugin: the second argument OpenCode passes a plugin, from a
 * `["<plugin>", { … }]` entry of the `plugin` list in `opencode.json`. Every field is optional.
 * A loader written by `handoffs init` passes none, so the environment decides, as for the CLI.
 */
export interface HandoffsPluginOptions {
  /** The handoffs directory. Default: `$HANDOFFS_DIR`, else `~/.claude/handoffs` (the CLI's default). */
  dir?: string;
  /**
   * A store URL (`postgres://…`, `git:origin`), default `$HANDOFFS_STORE`; or, from code, a
   * `HandoffStore` to use as it is. Takes precedence over `dir`.
   */
  store?: string | HandoffStore;
  /** Line budget of the handed-over text; `0` for none. Default 200, as `handoffs start`. */
  maxLines?: number;
  /** Character budget of the handed-over text. Default: none. */
  maxChars?: number;
  /**
   * Write a trace at the end for a session that did work and wrote no handoff. Default `true`.
   * `false` leaves only what the agent writes itself.
   */
  trace?: boolean;
  /** The environment to read `HANDOFFS_DIR` and `HANDOFFS_STORE` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Clock. Default `() => new Date()`. */
  now?: () => Date;
}

/** The default line budget, the same as `handoffs start`. */
export const DEFAULT_MAX_LINES = 200;

/** Where the plugin's handoffs are: a directory or a store URL. Pure. */
export type StoreLocation = { readonly dir: string } | { readonly url: string };

/**
 * Where the handoffs are for these options: `store`, else `$HANDOFFS_STORE`, else `dir`, else
 * `$HANDOFFS_DIR`, else `~/.claude/handoffs`, with `~` expanded as the CLI does (`resolveHome`). An
 * empty value counts as unset, so an exported but empty variable never points the plugin at the
 * working directory.
 */
export function storeLocation(options: Pick<HandoffsPluginOptions, 'dir' | 'store' | 'env'>): StoreLocation {
  const env = options.env ?? process.env;
  const url = nonEmpty(options.store) ?? nonEmpty(env.HANDOFFS_STORE);
  if (url !== undefined) return { url };
  const dir = nonEmpty(options.dir) ?? nonEmpty(env.HANDOFFS_DIR) ?? DEFAULT_HANDOFFS_DIR;
  return { dir: resolveHome(dir) };
}

/**
 * The store the plugin uses. Built on first use, inside the hooks' error handling: a bad location
 * (an unknown store URL) becomes a one-line note in the session, never a plugin that fails to load.
 *
 * @throws HandoffError `INVALID_OPTION` for a store URL no backend takes.
 */
export function openPluginStore(options: HandoffsPluginOptions): HandoffStore {
  if (options.store instanceof HandoffStore) return options.store;
  const location = storeLocation(options);
  return 'url' in location ? new HandoffStore({ store: location.url, now: options.now }) : new HandoffStore({ dir: location.dir, now: options.now });
}

/** The options OpenCode passed, kept only when they are an object: anything else is ignored. */
export function readPluginOptions(value: unknown): HandoffsPluginOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as HandoffsPluginOptions) : {};
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
