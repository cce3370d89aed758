import { hostname } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HandoffError, MemoryError } from '../errors.js';
import type { HandoffMeta } from '../handoff/front-matter.js';
import { detectProject } from '../project.js';
import { migrateCommand } from './migrate.js';
import {
  UsageError,
  optionalCount,
  readAll,
  readBody,
  requirePositional,
  requireString,
  type Io,
  type Parsed,
} from './args.js';
import { initCommand } from './init.js';
import { openStore } from './store.js';
import { HOOK_AGENTS, parseHookInput, type HookAgent } from '../hooks/session.js';
import { SESSION_ENV } from '../hooks/start.js';
import { mcpCommand } from './mcp.js';
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
  end --hook                     SessionEnd hook: give back or leave a trace of the session
  precompact --hook              Claude Code PreCompact hook: a trace before compaction
  list                           pending and claimed handoffs, oldest first
  show NAME                      print one handoff without consuming it
  restore [NAME...] [--last]     put consumed handoffs back to pending
  watch                          print each new pending handoff's name as it appears
  cleanup                        delete consumed handoffs past retention
  memory <where|lint|search|show|add|repair|split>   Claude Code's auto memory (see 'handoffs memory --help')
  init [--agent NAME]            set up an agent's hooks and instructions (claude, codex, gemini, copilot, opencode, all)
  mcp                            MCP server on stdio: handoff and memory tools for any MCP client
  migrate --from DIR --to URL    copy a handoffs directory into PostgreSQL, once

Options for every command:
  --dir DIR      handoffs directory (default $HANDOFFS_DIR or ~/.claude/handoffs)
  --store URL    another store instead: postgres://…, git:REMOTE (default $HANDOFFS_STORE)
  -h, --help     help for the command
  -v, --version  print the version

Exit codes: 0 success, 1 failure or lint problems, 2 usage error.
Run 'handoffs <command> --help' for a command's options.`;

const COMMON = {
  dir: { type: 'string' },
  store: { type: 'string' },
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
    help: `Usage: handoffs write --slug SLUG [--file F] [--tag T]... [--global] [--agent NAME] [--session ID]

Writes a new handoff and prints its path. The body comes from --file, or from stdin.
The handoff is scoped to this project (git root of the current directory) unless --global.
It records which agent and session wrote it: --agent and --session, else what the agent's
environment says ($${SESSION_ENV}, which the Claude Code SessionStart hook exports; Codex's,
Gemini CLI's and Copilot CLI's own variables).`,
    options: {
      slug: { type: 'string' },
      file: { type: 'string' },
      tag: { type: 'string', multiple: true },
      global: { type: 'boolean' },
      agent: { type: 'string' },
      session: { type: 'string' },
    },
    async run({ values }, io) {
      const slug = requireString(values, 'slug');
      const body = await readBody(values.file as string | undefined, io);
      if (body.trim() === '') throw new UsageError('the handoff body is empty');
      const meta = await writerMeta(io, {
        global: values.global === true,
        tags: values.tag as string[] | undefined,
        agent: values.agent as string | undefined,
        session: values.session as string | undefined,
      });
      const written = await openStore(values, io).write({ slug, body, meta });
      io.stdout.write(`${written.path}\n`);
      return 0;
    },
  },

  start: {
    help: `Usage: handoffs start [--json] [--dry-run] [--hook [--agent NAME]] [--all-projects] [--max-lines N] [--max-chars N]

Session start: claims every pending handoff of this project (and unscoped ones), migrates the
legacy single file, deletes consumed handoffs past retention, and prints the merged context.

  --json           print the result as JSON
  --dry-run        show what would be consumed, consume nothing
  --hook           session-start hook of an agent: read its JSON from stdin, print the JSON that
                   injects the context, then mark the handoffs consumed; never fails
  --agent NAME     the agent running the hook: claude, codex, gemini, copilot (default: detected)
  --all-projects   take handoffs of every project
  --max-lines N    context budget for the merged text (default 200; 0 for none)
  --max-chars N    character budget for the merged text
  --legacy-file F  the old single handoff file (default ~/.claude/context-handoff.md; '' for none)`,
    options: {
      json: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      hook: { type: 'boolean' },
      agent: { type: 'string' },
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
      if (values.hook) {
        const agent = hookAgent(values);
        const input = parseHookInput(await readAll(io.stdin));
        const { sessionStartHook } = await import('../hooks/start.js');
        let result;
        try {
          result = await sessionStartHook(input, {
            store: openStore(values, io),
            agent,
            allProjects: values['all-projects'] === true,
            envFile: io.env.CLAUDE_ENV_FILE,
            env: io.env,
            cwd: io.cwd,
            ...budget,
          });
        } catch (error) {
          // Even a store that cannot be opened must not stop the session.
          io.stdout.write('{}\n');
          io.stderr.write(`handoffs: warning: ${error instanceof Error ? error.message : String(error)}\n`);
          return 0;
        }
        // Acknowledged only once the agent has the text: a hook killed before this point leaves
        // the handoffs claimed by a dead process, and the next session receives them.
        await writeFully(io.stdout, `${JSON.stringify(result.output)}\n`);
        await result.acknowledge();
        return 0;
      }
      const handoffs = openStore(values, io);
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
      if (result.cleanup.error) io.stderr.write(`handoffs: warning: cleanup failed: ${result.cleanup.error.message}\n`);
      return 0;
    },
  },

  end: {
    help: `Usage: handoffs end --hook [--agent NAME]
       handoffs end --slug SLUG [--file F]

With --hook: the session-end hook of an agent (claude, codex, gemini, copilot; default: detected).
Reads the hook's JSON from stdin. A session that did no work (no model reply in its transcript)
gives back the handoffs its start claimed and leaves nothing; a session that wrote no handoff of
its own leaves one built from its transcript: its request, the files it changed, the commands it
ran, its last todos and last message. Never fails.
Without --hook: the same as 'handoffs write'.`,
    options: {
      hook: { type: 'boolean' },
      agent: { type: 'string' },
      slug: { type: 'string' },
      file: { type: 'string' },
      tag: { type: 'string', multiple: true },
      global: { type: 'boolean' },
      session: { type: 'string' },
    },
    async run(args, io) {
      if (!args.values.hook) return commands.write!.run(args, io);
      try {
        const input = parseHookInput(await readAll(io.stdin));
        const { sessionEndHook } = await import('../hooks/end.js');
        const result = await sessionEndHook(input, {
          store: openStore(args.values, io),
          agent: hookAgent(args.values),
          env: io.env,
          cwd: io.cwd,
          // How the hooks run this CLI (`node …/dist/cli.js` when not on PATH as `handoffs`).
          cliPaths: process.argv[1] === undefined ? [] : [process.argv[1]],
        });
        if (result.outcome === 'gave-back') io.stderr.write(`handoffs: the session did no work; gave back ${result.restored.length} handoff(s)\n`);
        if (result.written) io.stderr.write(`handoffs: wrote ${result.written.path}\n`);
      } catch (error) {
        io.stderr.write(`handoffs: warning: ${error instanceof Error ? error.message : String(error)}\n`);
      }
      return 0;
    },
  },

  precompact: {
    help: `Usage: handoffs precompact --hook [--agent NAME]

Claude Code's PreCompact hook: before the session's context is compacted, writes what the
session did so far (from its transcript) as a handoff, so compaction loses nothing. Never fails.`,
    options: { hook: { type: 'boolean' }, agent: { type: 'string' } },
    async run({ values }, io) {
      if (!values.hook) throw new UsageError('precompact runs as a hook: pass --hook and the hook JSON on stdin');
      try {
        const input = parseHookInput(await readAll(io.stdin));
        const { preCompactHook } = await import('../hooks/end.js');
        const written = await preCompactHook(input, { store: openStore(values, io), agent: hookAgent(values), env: io.env, cwd: io.cwd });
        if (written) io.stderr.write(`handoffs: wrote ${written.path}\n`);
      } catch (error) {
        io.stderr.write(`handoffs: warning: ${error instanceof Error ? error.message : String(error)}\n`);
      }
      return 0;
    },
  },

  list: {
    help: `Usage: handoffs list [--all] [--json]

Lists pending handoffs and those claimed by a session that has not acknowledged them yet
(marked "claimed"), oldest first. --all includes consumed ones still kept.`,
    options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
    async run({ values }, io) {
      const refs = await openStore(values, io).list({ consumed: values.all === true });
      if (values.json) io.stdout.write(`${JSON.stringify(refs, null, 2)}\n`);
      else for (const ref of refs) io.stdout.write(`${ref.name}${ref.state === 'claimed' ? '\t(claimed)' : ''}\n`);
      return 0;
    },
  },

  show: {
    help: `Usage: handoffs show NAME [--json]

Prints one handoff (pending or consumed) without consuming it.`,
    options: { json: { type: 'boolean' } },
    positionals: 1,
    async run({ values, positionals }, io) {
      const content = await openStore(values, io).read(requirePositional(positionals, 'NAME'));
      io.stdout.write(values.json ? `${JSON.stringify(content, null, 2)}\n` : content.body);
      return 0;
    },
  },

  watch: {
    help: `Usage: handoffs watch [--json]

Prints the name of each pending handoff as it appears (those pending now first), one per line,
until interrupted: a planner can react to new work without polling. PostgreSQL announces through
LISTEN/NOTIFY, a directory through filesystem events. --json prints {"name": …} lines.`,
    options: { json: { type: 'boolean' } },
    async run({ values }, io) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const store = openStore(values, io);
      try {
        for await (const name of store.watch({ signal: controller.signal })) {
          io.stdout.write(values.json ? `${JSON.stringify({ name })}\n` : `${name}\n`);
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await store.close();
      }
      return 0;
    },
  },

  restore: {
    help: `Usage: handoffs restore NAME... | --last | --session ID  [--json]

Puts consumed handoffs back to pending, under new names, for the next session start:
  NAME...       consumed names (…_done.md, as 'handoffs list --all' shows them)
  --last        what the most recent session start consumed
  --session ID  everything one agent session's start consumed`,
    options: { last: { type: 'boolean' }, session: { type: 'string' }, json: { type: 'boolean' } },
    positionals: 1000,
    async run({ values, positionals }, io) {
      const session = typeof values.session === 'string' ? values.session : undefined;
      if (positionals.length === 0 && !values.last && session === undefined) throw new UsageError('name the handoffs to restore, or pass --last or --session ID');
      const result = await openStore(values, io).restore({ names: positionals, last: values.last === true, session });
      if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        for (const { from, to } of result.restored) io.stdout.write(`${from} -> ${to}\n`);
        for (const name of result.missing) io.stderr.write(`handoffs: not a consumed handoff (any more): ${name}\n`);
        for (const { name, code } of result.failed) io.stderr.write(`handoffs: could not restore ${name} (${code})\n`);
      }
      return result.failed.length > 0 || (positionals.length > 0 && result.missing.length > 0) ? EXIT_FAILURE : 0;
    },
  },

  cleanup: {
    help: `Usage: handoffs cleanup [--older-than-days N] [--json]

Deletes consumed handoffs consumed more than N days ago (default 7) and stale temporary files.
Never deletes a pending handoff.`,
    options: { 'older-than-days': { type: 'string' }, json: { type: 'boolean' } },
    async run({ values }, io) {
      const olderThanDays = optionalCount(values, 'older-than-days');
      const result = await openStore(values, io).cleanup(olderThanDays === undefined ? {} : { olderThanDays });
      if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else io.stdout.write(`removed ${result.removed.length} consumed, ${result.temporaryRemoved.length} temporary\n`);
      return 0;
    },
  },

  memory: {
    help: `Usage: handoffs memory <command> [--memory-dir DIR] [--json]

  where                              print the memory folder the commands use
  lint                               check the index against Claude Code's load limits (200 lines,
                                     25 000 characters, entries under 200) and its topic files;
                                     exit 1 when there are problems
  search QUERY [--limit N] [--bodies]
  show TOPIC                         print a topic file
  add --topic T --description D [--type user|feedback|project|reference] [--section S]
      [--summary X] [--title T] [--file F|-]
                                     create or update a topic (front matter name, description,
                                     type; default type project) and its index line (text: the
                                     description; section: the entry's own, else the type's)
  repair [--dry-run] [--quiet|--hook]
                                     put back index lines for topic files the index lost, remove
                                     duplicate lines; never touches a topic file. --quiet prints
                                     nothing; --hook is a Claude Code SessionStart hook: reads the
                                     hook's JSON on stdin, prints the restored lines as the
                                     session's additional context, never fails
  split FILE [--apply] [--overwrite] [--max-lines N] [--heading-level N]
                                     plan (or with --apply, write) a flat MEMORY.md as index + topics

The memory folder is --memory-dir, else $HANDOFFS_MEMORY_DIR, else the auto memory Claude Code
loads for a session in this directory: ~/.claude/projects/<project>/memory, named after the git
root ($CLAUDE_CONFIG_DIR replaces ~/.claude; autoMemoryDirectory in settings is honoured).
'add' creates a missing folder.`,
    options: {
      'memory-dir': { type: 'string' },
      json: { type: 'boolean' },
      limit: { type: 'string' },
      bodies: { type: 'boolean' },
      topic: { type: 'string' },
      section: { type: 'string' },
      summary: { type: 'string' },
      description: { type: 'string' },
      type: { type: 'string' },
      title: { type: 'string' },
      file: { type: 'string' },
      'dry-run': { type: 'boolean' },
      quiet: { type: 'boolean' },
      hook: { type: 'boolean' },
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

  migrate: migrateCommand,
  init: initCommand,
  mcp: mcpCommand,
  sync: syncCommand,
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

/** `--agent` of a hook command, checked. */
function hookAgent(values: Parsed['values']): HookAgent | undefined {
  const agent = values.agent;
  if (agent === undefined) return undefined;
  if (typeof agent !== 'string' || !(HOOK_AGENTS as readonly string[]).includes(agent)) {
    throw new UsageError(`--agent must be one of ${HOOK_AGENTS.join(', ')}, got '${String(agent)}'`);
  }
  return agent as HookAgent;
}

/** Writes all of `text` and waits until it is handed to the OS: the agent must have it before we acknowledge. */
function writeFully(stream: Io['stdout'], text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

/**
 * Which agent and session a `write` comes from: the flags, else the variables each agent sets in the
 * shell its tools run (Claude Code: `CLAUDECODE=1` and the SessionStart hook's export of
 * `HANDOFFS_SESSION_ID`; Codex: `CODEX_THREAD_ID`; Gemini CLI: `GEMINI_CLI=1`, its session id only
 * in its hooks' `GEMINI_SESSION_ID`; Copilot CLI: `COPILOT_CLI=1` and `COPILOT_AGENT_SESSION_ID`).
 */
export function writerFromEnv(
  env: Io['env'],
  options: { agent?: string | undefined; session?: string | undefined } = {},
): { agent?: string; sessionId?: string } {
  const set = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const agent =
    options.agent ??
    (env.CLAUDECODE === '1'
      ? 'claude'
      : set('CODEX_THREAD_ID') || set('CODEX_SESSION_ID')
        ? 'codex'
        : set('GEMINI_SESSION_ID') || env.GEMINI_CLI === '1'
          ? 'gemini'
          : env.COPILOT_CLI === '1' || set('COPILOT_AGENT_SESSION_ID')
            ? 'copilot'
            : undefined);
  const own: Record<string, string | undefined> = {
    claude: set('CLAUDE_CODE_SESSION_ID'),
    codex: set('CODEX_THREAD_ID') ?? set('CODEX_SESSION_ID'),
    gemini: set('GEMINI_SESSION_ID'),
    copilot: set('COPILOT_AGENT_SESSION_ID'),
  };
  const mine = agent === undefined ? undefined : own[agent];
  // Claude Code's id is the one its hook exported (a resumed session keeps it); any other agent's
  // own variable wins over one inherited from a Claude Code shell it was started from.
  const sessionId = options.session ?? (agent === 'claude' || agent === undefined ? set(SESSION_ENV) ?? mine : mine ?? set(SESSION_ENV));
  return { ...(agent === undefined ? {} : { agent }), ...(sessionId === undefined ? {} : { sessionId }) };
}

/**
 * Who writes: the project (unless global), host, branch, tags, and the agent and session — given,
 * or read from what the agent puts in its shell's environment.
 */
async function writerMeta(
  io: Io,
  options: { global: boolean; tags: string[] | undefined; agent: string | undefined; session: string | undefined },
): Promise<HandoffMeta> {
  const project = await detectProject(io.cwd);
  const meta: HandoffMeta = { cwd: io.cwd, host: hostname() };
  if (!options.global) meta.project = project.root;
  if (project.branch) meta.branch = project.branch;
  const { agent, sessionId } = writerFromEnv(io.env, options);
  if (agent) meta.agent = agent;
  if (sessionId) meta.sessionId = sessionId;
  if (options.tags?.length) meta.tags = options.tags;
  return meta;
}
