import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { MemoryIndex } from '../memory/memory-index.js';
import { UsageError, optionalCount, readBody, requirePositional, requireString, resolveHome, type Io, type Parsed } from './args.js';

/** `handoffs memory <lint|search|show|add|split>`. */
export async function runMemory({ values, positionals }: Parsed, io: Io): Promise<number> {
  const dir = resolveHome(String(values['memory-dir'] ?? io.env.HANDOFFS_MEMORY_DIR ?? '~/.claude/memory'));
  const json = values.json === true;
  const print = (value: unknown, text: string) => io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text);
  const subcommand = requirePositional(positionals, 'subcommand (lint, search, show, add, split)');
  const argument = () => requirePositional(positionals, 'argument', 1);

  switch (subcommand) {
    case 'lint': {
      const problems = await (await MemoryIndex.open({ dir })).lint();
      print(problems, problems.map((problem) => `${problem.line ? `line ${problem.line}: ` : ''}${problem.code} ${problem.message}\n`).join(''));
      return problems.length === 0 ? 0 : 1;
    }
    case 'search': {
      const hits = await (await MemoryIndex.open({ dir })).search(argument(), {
        limit: optionalCount(values, 'limit') ?? 10,
        bodies: values.bodies === true,
      });
      print(hits, hits.map((hit) => `${hit.file}\t${hit.title} — ${hit.summary}\n`).join(''));
      return 0;
    }
    case 'show': {
      io.stdout.write(await (await MemoryIndex.open({ dir })).read(argument()));
      return 0;
    }
    case 'add': {
      const memory = await MemoryIndex.open({ dir });
      const body = values.file === undefined ? undefined : await readBody(String(values.file), io);
      const entry = await memory.upsert({
        topic: requireString(values, 'topic'),
        section: requireString(values, 'section'),
        summary: requireString(values, 'summary'),
        title: typeof values.title === 'string' ? values.title : undefined,
        body,
      });
      print(entry, `${entry.file} (line ${entry.line} of the index)\n`);
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
