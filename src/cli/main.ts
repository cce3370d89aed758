import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SESSION_ENV, parseHookInput, sessionEndHook, sessionStartHook } from '../claude/hooks.js';
import { HandoffError, MemoryError } from '../errors.js';
import type { HandoffMeta } from '../handoff/front-matter.js';
import { HandoffStore } from '../handoff/store.js';
import { detectProject } from '../project.js';
import {
  UsageError,
  optionalCount,
  readAll,
  readBody,
  requirePositional,
  requireString,
  resolveHome,
  type Io,
  type Parsed,
} from './args.js';
import { syncCommand } from './sync.js';

/**
 * The `handoffs` command: argument handling and output only; everything it does is the library's.
 * Exit codes: 0 success, 1 failure (or lint problems found), 2 usage error.
 */

declare const __HANDOFFS_VERSION__: string;

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;


const GLOBAL_HELP = `handoffs: parallel-safe context handoffs between agent sessions

Usage: handoffs <command> [options]

Commands:
  write --slug SLUG [--file F]   write a handoff (body from stdin without --file); prints its path
  start                          session start: consume pending handoffs, print merged context
  end --hook                     Claude Code SessionEnd hook: leave a trace if the session wrote none
  list                           pending handoffs, oldest first
  show NAME                      print one handoff without consuming it
  cleanup                        delete consumed handoffs past retention
  memory <lint|search|show|add|split>   the MEMORY.md index (see 'handoffs memory --help')
  init                           set up Claude Code: CLAUDE.md block and hooks

Options for every command:
  --dir DIR      handoffs directory (default $HANDOFFS_DIR or ~/.claude/handoffs)
  -h, --help     help for the command
  -v, --version  print the version

Exit codes: 0 success, 1 failure or lint problems, 2 usage error.
Run 'handoffs <command> --help' for a command's options.`;

const COMMON = {
  dir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

interface Command {
  help: string;
  options: ParseArgsConfig['options'];
  positionals?: number;
  run(args: Parsed, io: Io): Promise<number>;
}


const commands: Record<string, Command> = {
  write: {
    help: `Usage: handoffs write --slug SLUG [--file F] [--tag T]... [--global]

Writes a new handoff and prints its path. The body comes from --file, or from stdin.
The handoff is scoped to this project (git root of the current directory) unless --global.
The session id comes from $${SESSION_ENV} when set (the SessionStart hook exports it).`,
    options: {
      slug: { type: 'string' },
      file: { type: 'string' },
      tag: { type: 'string', multiple: true },
      global: { type: 'boolean' },
    },
    async run({ values }, io) {
      const slug = requireString(values, 'slug');
      const body = await readBody(values.file as string | undefined, io);
      if (body.trim() === '') throw new UsageError('the handoff body is empty');
      const meta = await writerMeta(io, { global: values.global === true, tags: values.tag as string[] | undefined });
      const written = await store(values, io).write({ slug, body, meta });
      io.stdout.write(`${written.path}\n`);
      return 0;
    },
  },

  start: {
    help: `Usage: handoffs start [--json] [--dry-run] [--hook] [--all-projects] [--max-lines N] [--max-chars N]

Session start: claims every pending handoff of this project (and unscoped ones), migrates the
legacy single file, deletes consumed handoffs past retention, and prints the merged context.

  --json           print the result as JSON
  --dry-run        show what would be consumed, consume nothing
  --hook           Claude Code SessionStart hook: read its JSON from stdin, print hook JSON; never fails
  --all-projects   take handoffs of every project
  --max-lines N    context budget for the merged text (default 200; 0 for none)
  --max-chars N    character budget for the merged text
  --legacy-file F  the old single handoff file (default ~/.claude/context-handoff.md; '' for none)`,
    options: {
      json: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      hook: { type: 'boolean' },
      'all-projects': { type: 'boolean' },
      'max-lines': { type: 'string' },
      'max-chars': { type: 'string' },
      'legacy-file': { type: 'string' },
    },
    async run({ values }, io) {
      const budget = {
        maxLines: optionalCount(values, 'max-lines') ?? 200,
        maxChars: optionalCount(values, 'max-chars'),
      };
      if (budget.maxLines === 0) budget.maxLines = Infinity;
      const handoffs = store(values, io);
      if (values.hook) {
        const input = parseHookInput(await readAll(io.stdin));
        const output = await sessionStartHook(input, {
          store: handoffs,
          allProjects: values['all-projects'] === true,
          envFile: io.env.CLAUDE_ENV_FILE,
          ...budget,
        });
        io.stdout.write(`${JSON.stringify(output)}\n`);
        return 0;
      }
      const project = values['all-projects'] ? undefined : (await detectProject(io.cwd)).root;
      if (values['dry-run']) {
        const peeked = await handoffs.peek({ project, ...budget });
        if (values.json) io.stdout.write(`${JSON.stringify(peeked, null, 2)}\n`);
        else io.stdout.write(peeked.merged === '' ? '' : `${peeked.merged}`);
        if (!values.json) io.stderr.write(`dry run: ${peeked.handoffs.length} pending handoff(s) would be consumed\n`);
        return 0;
      }
      const result = await handoffs.start({ project, ...budget });
      if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout.write(result.merged);
      return 0;
    },
  },

  end: {
    help: `Usage: handoffs end --hook
       handoffs end --slug SLUG [--file F]

With --hook: the Claude Code SessionEnd hook. Reads the hook's JSON from stdin; if the session wrote
no handoff of its own, writes a minimal one (session id, cwd, end reason, transcript path). Never fails.
Without --hook: the same as 'handoffs write'.`,
    options: {
      hook: { type: 'boolean' },
      slug: { type: 'string' },
      file: { type: 'string' },
      tag: { type: 'string', multiple: true },
      global: { type: 'boolean' },
    },
    async run(args, io) {
      if (!args.values.hook) return commands.write!.run(args, io);
      try {
        const input = parseHookInput(await readAll(io.stdin));
        const { written } = await sessionEndHook(input, { store: store(args.values, io) });
        if (written) io.stderr.write(`handoffs: wrote ${written.path}\n`);
      } catch (error) {
        io.stderr.write(`handoffs: warning: ${error instanceof Error ? error.message : String(error)}\n`);
      }
      return 0;
    },
  },

  list: {
    help: `Usage: handoffs list [--all] [--json]

Lists pending handoffs, oldest first. --all includes consumed ones still kept.`,
    options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
    async run({ values }, io) {
      const refs = await store(values, io).list({ consumed: values.all === true });
      if (values.json) io.stdout.write(`${JSON.stringify(refs, null, 2)}\n`);
      else for (const ref of refs) io.stdout.write(`${ref.name}\n`);
      return 0;
    },
  },

  show: {
    help: `Usage: handoffs show NAME [--json]

Prints one handoff (pending or consumed) without consuming it.`,
    options: { json: { type: 'boolean' } },
    positionals: 1,
    async run({ values, positionals }, io) {
      const content = await store(values, io).read(requirePositional(positionals, 'NAME'));
      io.stdout.write(values.json ? `${JSON.stringify(content, null, 2)}\n` : content.body);
      return 0;
    },
  },

  cleanup: {
    help: `Usage: handoffs cleanup [--older-than-days N] [--json]

Deletes consumed handoffs consumed more than N days ago (default 7) and stale temporary files.
Never deletes a pending handoff.`,
    options: { 'older-than-days': { type: 'string' }, json: { type: 'boolean' } },
    async run({ values }, io) {
      const olderThanDays = optionalCount(values, 'older-than-days');
      const result = await store(values, io).cleanup(olderThanDays === undefined ? {} : { olderThanDays });
      if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout.write(`removed ${result.removed.length} consumed, ${result.temporaryRemoved.length} temporary\n`);
      return 0;
    },
  },

  memory: {
    help: `Usage: handoffs memory <command> [--memory-dir DIR]

  lint [--json]                      check the index; exit 1 when there are problems
  search QUERY [--limit N] [--bodies] [--json]
  show TOPIC                         print a topic file
  add --topic T --section S --summary X [--title T] [--file F|-]
                                     create or update a topic and its index line
  split FILE [--apply] [--overwrite] [--max-lines N] [--heading-level N]
                                     plan (or with --apply, write) a flat MEMORY.md as index + topics

--memory-dir defaults to $HANDOFFS_MEMORY_DIR or ~/.claude/memory.`,
    options: {
      'memory-dir': { type: 'string' },
      json: { type: 'boolean' },
      limit: { type: 'string' },
      bodies: { type: 'boolean' },
      topic: { type: 'string' },
      section: { type: 'string' },
      summary: { type: 'string' },
      title: { type: 'string' },
      file: { type: 'string' },
      apply: { type: 'boolean' },
      overwrite: { type: 'boolean' },
      'max-lines': { type: 'string' },
      'heading-level': { type: 'string' },
    },
    positionals: 2,
    async run(args, io) {
      // Loaded only when used, so session hooks do not pay for the Markdown parser at startup.
      const { runMemory } = await import('./memory.js');
      return runMemory(args, io);
    },
  },

  sync: syncCommand,

  init: {
    help: `Usage: handoffs init [--dry-run] [--claude-dir DIR] [--command CMD]

Sets up Claude Code in one step, safe to run again:
  - adds the session start/end instructions block to CLAUDE.md (a later run replaces it),
  - registers the SessionStart and SessionEnd hooks in settings.json, keeping every other hook.
Any file it changes is first copied to <file>.bak-<timestamp>.

  --claude-dir DIR  Claude Code's directory (default $CLAUDE_CONFIG_DIR or ~/.claude)
  --command CMD     how hooks run this CLI (default 'handoffs' if on PATH, else node and this file)
  --dry-run         print what would change, change nothing`,
    options: { 'dry-run': { type: 'boolean' }, 'claude-dir': { type: 'string' }, command: { type: 'string' } },
    async run({ values }, io) {
      const { planInit, applyInit } = await import('../claude/init.js');
      const claudeDir = resolveHome(String(values['claude-dir'] ?? io.env.CLAUDE_CONFIG_DIR ?? '~/.claude'));
      const command = typeof values.command === 'string' ? values.command : await defaultCommand(io);
      const changes = await planInit({
        claudeDir,
        command,
        handoffsDir: values.dir === undefined && io.env.HANDOFFS_DIR === undefined ? undefined : handoffsDir(values, io),
      });
      for (const change of changes) io.stdout.write(`${values['dry-run'] ? 'would ' : ''}${change.action} ${change.path}\n`);
      if (values['dry-run']) return 0;
      for (const backup of await applyInit(changes)) io.stdout.write(`backup ${backup}\n`);
      return 0;
    },
  },
};

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${GLOBAL_HELP}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${__HANDOFFS_VERSION__}\n`);
    return 0;
  }
  const command = commands[name];
  try {
    if (!command) throw new UsageError(`unknown command '${name}'`);
    const parsed = parseArgs({
      args: [...rest],
      options: { ...COMMON, ...command.options },
      allowPositionals: true,
      strict: true,
    }) as Parsed;
    if (parsed.values.help) {
      io.stdout.write(`${command.help}\n`);
      return 0;
    }
    if (parsed.positionals.length > (command.positionals ?? 0)) {
      throw new UsageError(`unexpected argument '${parsed.positionals[command.positionals ?? 0]}'`);
    }
    return await command.run(parsed, io);
  } catch (error) {
    return report(error, name, io);
  }
}

function report(error: unknown, name: string, io: Io): number {
  const red = (text: string) => (io.stderr.isTTY && !('NO_COLOR' in io.env) ? `\x1b[31m${text}\x1b[39m` : text);
  if (error instanceof UsageError || isParseArgsError(error)) {
    io.stderr.write(`${red('handoffs:')} ${(error as Error).message}\nRun 'handoffs ${commands[name] ? `${name} ` : ''}--help' for usage.\n`);
    return EXIT_USAGE;
  }
  if (error instanceof HandoffError || error instanceof MemoryError) {
    io.stderr.write(`${red('handoffs:')} ${error.message} [${error.code}]\n`);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${red('handoffs:')} ${message}\n`);
  if (io.env.HANDOFFS_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  return EXIT_FAILURE;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function handoffsDir(values: Parsed['values'], io: Io): string {
  return resolveHome(String(values.dir ?? io.env.HANDOFFS_DIR ?? '~/.claude/handoffs'));
}

function store(values: Parsed['values'], io: Io): HandoffStore {
  const legacy = values['legacy-file'] ?? '~/.claude/context-handoff.md';
  return new HandoffStore({
    dir: handoffsDir(values, io),
    legacyFile: legacy === '' ? undefined : resolveHome(String(legacy)),
    onWarning: (message) => io.stderr.write(`handoffs: warning: ${message}\n`),
  });
}

async function writerMeta(io: Io, options: { global: boolean; tags: string[] | undefined }): Promise<HandoffMeta> {
  const project = await detectProject(io.cwd);
  const meta: HandoffMeta = { cwd: io.cwd, host: hostname() };
  if (!options.global) meta.project = project.root;
  if (project.branch) meta.branch = project.branch;
  const sessionId = io.env[SESSION_ENV];
  if (sessionId) meta.sessionId = sessionId;
  if (options.tags?.length) meta.tags = options.tags;
  return meta;
}

/** `handoffs` when an executable of that name is on PATH, else this node and this script. */
async function defaultCommand(io: Io): Promise<string> {
  const { access, constants } = await import('node:fs/promises');
  const { shellQuote } = await import('../claude/init.js');
  for (const dir of (io.env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    const ok = await access(join(dir, 'handoffs'), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return 'handoffs';
  }
  return `${shellQuote(process.execPath)} ${shellQuote(fileURLToPath(import.meta.url))}`;
}

