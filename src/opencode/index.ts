/**
 * The package's OpenCode entry, `handoffs/opencode`. OpenCode calls every function a plugin module
 * exports as a plugin (and fails the module on any export that is not one), so the only value this
 * module exports is the plugin; the rest are types.
 */
export { HandoffsPlugin } from './plugin.js';
export type { HandoffsPluginOptions } from './options.js';
export type { OpencodeEvent, OpencodeHooks, OpencodePart, OpencodePluginInput, OpencodeUserMessage } from './types.js';
