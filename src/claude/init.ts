import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HandoffError, errorCode } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { nodeFs } from '../fs/node.js';
import { formatStamp } from '../handoff/name.js';

/** Options of {@link planInit}. */
export interface InitOptions {
  /** Claude Code's user directory, holding `CLAUDE.md` and `settings.json`. */
  claudeDir: string;
  /** How the hooks run the CLI, e.g. `handoffs` or `"/usr/bin/node" "/…/dist/cli.js"`. */
  command: string;
  /** A handoffs directory to pass as `--dir`; omit for the default. */
  handoffsDir?: string;
}

/** One file `init` creates or changes. */
export interface FileChange {
  path: string;
  /** `unchanged` when the file already says what init would write. */
  action: 'create' | 'update' | 'unchanged';
  /** The text now (undefined when the file does not exist). */
  before: string | undefined;
  after: string;
}

/** The markers around the block init manages in CLAUDE.md; a second run replaces the block. */
export const BLOCK_BEGIN = '<!-- handoffs:begin (managed by `handoffs init`; a later run replaces this block) -->';
export const BLOCK_END = '<!-- handoffs:end -->';

/** Hook events init registers and the matcher of each. */
const HOOKS = [
  // Not on `compact`: a compacted session is the same session and has already been handed off to.
  { event: 'SessionStart', matcher: 'startup|resume|clear', subcommand: 'start --hook' },
  { event: 'SessionEnd', matcher: '', subcommand: 'end --hook' },
] as const;

/** The session start and end instructions init writes into CLAUDE.md. */
export function claudeMdBlock(command: string): string {
  return [
    BLOCK_BEGIN,
    '## Session handoffs',
    '',
    'Several sessions may run at once. They hand context to each other through separate handoff',
    'files, never through one shared file.',
    '',
    '- Session start: handoffs from earlier sessions of this project arrive by themselves (a SessionStart',
    `  hook runs \`${command} start --hook\`). Read them before starting work.`,
    '- Session end: before you finish, write a handoff for whoever comes next: what you did, what is',
    '  unfinished, what to do next, and anything that surprised you.',
    '',
    '  ```sh',
    `  ${command} write --slug "short-topic" <<'EOF'`,
    '  Done: ...',
    '  Next: ...',
    '  EOF',
    '  ```',
    '',
    '- Do not edit, rename or delete files in the handoffs directory by hand.',
    BLOCK_END,
  ].join('\n');
}

/**
 * Works out what `init` would write: the instructions block in `CLAUDE.md` (replacing an earlier
 * block, else appended) and the two hooks in `settings.json` (merged with what is there: other
 * hooks and settings are kept, an earlier handoffs hook is updated, never duplicated). Reads only.
 *
 * @throws HandoffError `INVALID_OPTION` when settings.json is not a JSON object: init will not
 * guess at a file it cannot read.
 */
export async function planInit(options: InitOptions): Promise<FileChange[]> {
  const dirArgument = options.handoffsDir === undefined ? '' : ` --dir ${shellQuote(options.handoffsDir)}`;
  const claudeMd = join(options.claudeDir, 'CLAUDE.md');
  const settings = join(options.claudeDir, 'settings.json');

  const mdBefore = await readText(claudeMd);
  const block = claudeMdBlock(options.command + dirArgument);
  let mdAfter: string;
  const begin = mdBefore?.indexOf(BLOCK_BEGIN) ?? -1;
  const end = mdBefore?.indexOf(BLOCK_END, begin) ?? -1;
  if (mdBefore !== undefined && begin >= 0 && end >= 0) {
    mdAfter = mdBefore.slice(0, begin) + block + mdBefore.slice(end + BLOCK_END.length);
  } else if (mdBefore === undefined || mdBefore.trim() === '') {
    mdAfter = `${block}\n`;
  } else {
    mdAfter = `${mdBefore.replace(/\n*$/, '')}\n\n${block}\n`;
  }

  const settingsBefore = await readText(settings);
  let parsed: unknown = {};
  if (settingsBefore !== undefined && settingsBefore.trim() !== '') {
    try {
      parsed = JSON.parse(settingsBefore);
    } catch (error) {
      throw new HandoffError('INVALID_OPTION', `${settings} is not valid JSON; fix it or move it aside, then run init again`, {
        cause: error,
        path: settings,
      });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HandoffError('INVALID_OPTION', `${settings} does not hold a JSON object`, { path: settings });
  }
  const merged = withHooks(parsed as Record<string, unknown>, options.command + dirArgument, settings);
  const semanticallySame = settingsBefore !== undefined && JSON.stringify(parsed) === JSON.stringify(merged);
  const settingsAfter = semanticallySame ? settingsBefore : `${JSON.stringify(merged, null, 2)}\n`;

  return [change(claudeMd, mdBefore, mdAfter), change(settings, settingsBefore, settingsAfter)];
}

/**
 * Writes the changes of a plan atomically, each changed file first copied to
 * `<file>.bak-YYYY-MM-DD_HHMMSS`, keeping each file's permission bits. Unchanged files are not
 * touched. Returns the backups made.
 */
export async function applyInit(changes: readonly FileChange[], now: Date = new Date()): Promise<string[]> {
  const fs = nodeFs();
  const backups: string[] = [];
  for (const item of changes) {
    if (item.action === 'unchanged') continue;
    await fs.mkdir(dirname(item.path), { recursive: true, mode: 0o700 });
    let mode = 0o644;
    if (item.before !== undefined) {
      mode = (await stat(item.path)).mode & 0o777;
      const backup = `${item.path}.bak-${formatStamp(now, 'local')}`;
      await writeFileAtomic(fs, backup, Buffer.from(item.before, 'utf8'), { mode, durable: true });
      backups.push(backup);
    }
    await writeFileAtomic(fs, item.path, Buffer.from(item.after, 'utf8'), { mode, durable: true });
  }
  return backups;
}

function withHooks(settings: Record<string, unknown>, command: string, path: string): Record<string, unknown> {
  const hooks = settings.hooks ?? {};
  if (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks)) {
    throw new HandoffError('INVALID_OPTION', `${path}: "hooks" is not an object`, { path });
  }
  const nextHooks: Record<string, unknown> = { ...(hooks as Record<string, unknown>) };
  for (const { event, matcher, subcommand } of HOOKS) {
    const groups = nextHooks[event] ?? [];
    if (!Array.isArray(groups)) throw new HandoffError('INVALID_OPTION', `${path}: hooks.${event} is not a list`, { path });
    const ours = { type: 'command', command: `${command} ${subcommand}`, timeout: 30 };
    let placed = false;
    const kept = groups.map((group: unknown) => {
      if (!isGroup(group)) return group;
      const inner = group.hooks.filter((hook) => !isOurs(hook, subcommand));
      if (inner.length === group.hooks.length) return group;
      if (!placed) {
        // Update our earlier hook in place, where the user may have put it.
        placed = true;
        const index = group.hooks.findIndex((hook) => isOurs(hook, subcommand));
        const updated = [...inner];
        updated.splice(index, 0, ours);
        return { ...group, hooks: updated };
      }
      return { ...group, hooks: inner };
    });
    const cleaned = kept.filter((group) => !isGroup(group) || group.hooks.length > 0);
    if (!placed) cleaned.push(matcher === '' ? { hooks: [ours] } : { matcher, hooks: [ours] });
    nextHooks[event] = cleaned;
  }
  return { ...settings, hooks: nextHooks };
}

function isGroup(value: unknown): value is { hooks: unknown[]; [key: string]: unknown } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { hooks?: unknown }).hooks);
}

function isOurs(hook: unknown, subcommand: string): boolean {
  if (typeof hook !== 'object' || hook === null) return false;
  const { command } = hook as { command?: unknown };
  return typeof command === 'string' && /handoffs|cli\.js/.test(command) && command.includes(` ${subcommand}`);
}

function change(path: string, before: string | undefined, after: string): FileChange {
  return { path, action: before === undefined ? 'create' : before === after ? 'unchanged' : 'update', before, after };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new HandoffError('IO', `cannot read ${path}`, { cause: error, path });
  }
}

/** Quotes a path for the hook command line, which Claude Code runs through a shell. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./~:@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
