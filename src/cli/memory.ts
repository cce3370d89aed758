import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseHookInput } from '../hooks/session.js';
import { claudeMemoryDir } from '../claude/memory-location.js';
import { isMemoryType, MEMORY_TYPES } from '../memory/front-matter.js';
import { MemoryIndex } from '../memory/memory-index.js';
import type { RepairResult } from '../memory/memory-index.js';
import { UsageError, optionalCount, readAll, readBody, requirePositional, requireString, resolveHome, type Io, type Parsed } from './args.js';

/** Where the memory commands work, and why there. */
interface MemoryTarget {
  dir: string;
  /** `option` (--memory-dir), `env` ($HANDOFFS_MEMORY_DIR), or Claude Code's own choice. */
  source: 'option' | 'env' | 'claude-default' | 'claude-settings' | 'claude-env';
  /** The directory Claude Code names the folder after, when Claude Code's rule chose it. */
  projectRoot?: string;
}

/** `handoffs memory <where|lint|search|show|add|repair|split>`. */
export async function runMemory({ values, positionals }: Parsed, io: Io): Promise<number> {
  const json = values.json === true;
  const print = (value: unknown, text: string) => io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text);
  const subcommand = requirePositional(positionals, 'subcommand (where, lint, search, show, add, repair, split)');
  const argument = () => requirePositional(positionals, 'argument', 1);
  if (subcommand === 'repair' && values.hook === true) return repairHook(values, io);
  const target = await memoryTarget(values, io);
  // Claude Code's folder may not exist before its first session: that is an empty memory, and
  // `add` creates it. A directory named on purpose must exist, except for `add`.
  const open = (createDir = target.source.startsWith('claude')) => MemoryIndex.open({ dir: target.dir, createDir });

  switch (subcommand) {
    case 'where': {
      print(target, `${target.dir}\n`);
      return 0;
    }
    case 'lint': {
      const problems = await (await open()).lint();
      print(problems, problems.map((problem) => `${problem.line ? `line ${problem.line}: ` : ''}${problem.code} ${problem.message}\n`).join(''));
      return problems.length === 0 ? 0 : 1;
    }
    case 'search': {
      const hits = await (await open()).search(argument(), {
        limit: optionalCount(values, 'limit') ?? 10,
        bodies: values.bodies === true,
      });
      print(hits, hits.map((hit) => `${hit.file}\t${hit.title} — ${hit.summary}\n`).join(''));
      return 0;
    }
    case 'show': {
      io.stdout.write(await (await open()).read(argument()));
      return 0;
    }
    case 'add': {
      const type = values.type;
      if (type !== undefined && !isMemoryType(type)) throw new UsageError(`--type takes ${MEMORY_TYPES.join(', ')}; got '${String(type)}'`);
      const description = optionalString(values, 'description');
      const summary = optionalString(values, 'summary');
      if (description === undefined && summary === undefined) throw new UsageError('--description (or --summary) is required');
      const topic = requireString(values, 'topic');
      const body = values.file === undefined ? undefined : await readBody(String(values.file), io);
      const memory = await open(true);
      const entry = await memory.upsert({
        topic,
        description,
        summary,
        type,
        section: optionalString(values, 'section'),
        title: optionalString(values, 'title'),
        body,
      });
      print({ ...entry, dir: memory.dir }, `${entry.file} (line ${entry.line} of ${memory.indexPath})\n`);
      return 0;
    }
    case 'repair': {
      const dryRun = values['dry-run'] === true;
      const memory = await open();
      const result = await memory.repair({ dryRun });
      const would = dryRun ? 'would ' : '';
      const lines = [
        ...result.removed.map((line) => `${would}remove line ${line.line} (duplicate of line ${line.keptLine}): ${line.text}\n`),
        ...result.restored.map((line) => `${would}restore line ${line.line} under ## ${line.section}: ${line.text}\n`),
      ];
      const changes = result.restored.length + result.removed.length;
      const closing =
        changes === 0
          ? `nothing to repair in ${memory.indexPath}\n`
          : dryRun
            ? `dry run: ${memory.indexPath} not written\n`
            : `repaired ${memory.indexPath}: ${count(result.restored.length, 'line')} restored, ${count(result.removed.length, 'duplicate')} removed\n`;
      if (values.quiet !== true) print(result, `${lines.join('')}${closing}`);
      return 0;
    }
    case 'split': {
      const file = resolve(io.cwd, argument());
      const flat = await readFile(file, 'utf8');
      const plan = MemoryIndex.split(flat, {
        maxLines: optionalCount(values, 'max-lines'),
        headingLevel: optionalCount(values, 'heading-level'),
        indexFile: basename(file),
      });
      if (!values.apply) {
        print(plan, `${plan.index}\n${plan.topics.map((topic) => `would write ${topic.file} (${topic.content.split('\n').length - 1} lines)\n`).join('')}(dry run: pass --apply to write)\n`);
        return 0;
      }
      const result = await MemoryIndex.applySplit(plan, {
        dir: dirname(file),
        indexFile: basename(file),
        overwrite: values.overwrite === true,
      });
      print(result, `${result.written.map((topic) => `wrote ${topic}\n`).join('')}${result.backup ? `kept the flat file as ${result.backup}\n` : ''}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown memory command '${subcommand}'`);
  }
}

/**
 * `memory repair --hook`: a Claude Code SessionStart hook. Claude Code has already read MEMORY.md
 * when its SessionStart hooks run (observed with 2.1.197), so the lines put back reach this session
 * only as the hook's additional context; later sessions read them from the file. Never fails: an
 * error is one line on stderr, the output `{}`, the exit code 0.
 */
async function repairHook(values: Parsed['values'], io: Io): Promise<number> {
  let result: RepairResult | undefined;
  try {
    const input = parseHookInput(await readAll(io.stdin));
    const cwd = typeof input.cwd === 'string' && input.cwd !== '' ? input.cwd : io.cwd;
    const target = await memoryTarget(values, { ...io, cwd });
    result = await (await MemoryIndex.open({ dir: target.dir, createDir: target.source.startsWith('claude') })).repair();
  } catch (error) {
    io.stderr.write(`handoffs: warning: memory repair failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  if (result === undefined || result.restored.length === 0) {
    io.stdout.write('{}\n');
    return 0;
  }
  const additionalContext = [
    `Parallel sessions had dropped ${count(result.restored.length, 'line')} from your auto-memory index, MEMORY.md; the copy loaded for this session lacks them. They are back in the file now:`,
    ...result.restored.map((line) => line.text),
  ].join('\n');
  io.stdout.write(`${JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext } })}\n`);
  return 0;
}

/**
 * `--memory-dir`, else `$HANDOFFS_MEMORY_DIR`, else the auto-memory folder Claude Code loads for a
 * session in the current directory (read with the command's own HOME and CLAUDE_CONFIG_DIR).
 */
export async function memoryTarget(values: Parsed['values'], io: Pick<Io, 'env' | 'cwd'>): Promise<MemoryTarget> {
  if (typeof values['memory-dir'] === 'string') return { dir: resolveHome(values['memory-dir']), source: 'option' };
  if (io.env.HANDOFFS_MEMORY_DIR) return { dir: resolveHome(io.env.HANDOFFS_MEMORY_DIR), source: 'env' };
  const location = await claudeMemoryDir(io.cwd, { env: io.env });
  return { dir: location.dir, source: `claude-${location.source}`, projectRoot: location.projectRoot };
}

function optionalString(values: Parsed['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
