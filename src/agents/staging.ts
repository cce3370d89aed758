import { InitError } from './errors.js';
import { storeArguments } from './hook-command.js';
import { isObject, parseJsonFile, renderJsonFile } from './json-file.js';
import { instructionsBlock, withBlock, withoutBlock } from './markdown-block.js';
import type { AgentContext } from './types.js';

/** The steps every agent's setup is made of: a Markdown instructions block and a JSON config edit. */

/** Folder mode for what init creates: private for a user's config, ordinary in a repository. */
export function folderMode(context: AgentContext): number {
  return context.scope === 'user' ? 0o700 : 0o755;
}

/** The write command the instructions show, with this setup's `--dir` or `--store`. */
export function writeCommand(context: AgentContext): string {
  return `${context.options.command} write${storeArguments(context.options)}`;
}

/** Adds (or on uninstall removes) the instructions block in the Markdown file at `path`. */
export async function stageInstructions(context: AgentContext, path: string): Promise<void> {
  const text = await context.files.read(path);
  if (!context.options.uninstall) {
    await context.files.write(path, withBlock(text, instructionsBlock(writeCommand(context))), { dirMode: folderMode(context) });
    return;
  }
  const after = withoutBlock(text);
  if (after === text || after === undefined) return;
  if (after.trim() === '') await context.files.remove(path, '');
  else await context.files.write(path, after);
}

/**
 * Edits the JSON object in the file at `path` with `edit` (which returns the new object, or the
 * same one for no change). The file keeps its indentation and line endings; a file left as `{}`
 * by an uninstall is removed (a symbolic link keeps a target holding `{}`).
 */
export async function stageJson(
  context: AgentContext,
  path: string,
  edit: (value: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const text = await context.files.read(path);
  if (text === undefined && context.options.uninstall) return;
  const file = parseJsonFile(text, path);
  const value = edit(file.value);
  if (context.options.uninstall && Object.keys(value).length === 0 && Object.keys(file.value).length > 0) {
    await context.files.remove(path, '{}\n');
    return;
  }
  await context.files.write(path, renderJsonFile(file, value, text), { dirMode: folderMode(context) });
}

/** The object under `key`, `{}` when absent. @throws InitError `INVALID_CONFIG` when it is not an object. */
export function objectAt(value: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
  const inner = value[key] ?? {};
  if (!isObject(inner)) throw new InitError('INVALID_CONFIG', `${path}: "${key}" is not an object`, { path });
  return inner;
}

/**
 * `value` with `key` set to `inner`, or without `key` when an uninstall emptied it (a key that was
 * empty before stays).
 */
export function withInner(value: Record<string, unknown>, key: string, inner: Record<string, unknown>, before: Record<string, unknown>, uninstall: boolean): Record<string, unknown> {
  if (JSON.stringify(inner) === JSON.stringify(before) && (key in value || Object.keys(inner).length === 0)) return value;
  if (uninstall && Object.keys(inner).length === 0) {
    const { [key]: _removed, ...rest } = value;
    return rest;
  }
  return { ...value, [key]: inner };
}
