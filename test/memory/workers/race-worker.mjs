// A separate OS process racing on one memory folder, for the add + repair tests.
// Usage: node race-worker.mjs add <dir> <startAtMs> <count> <prefix>      upserts through MemoryIndex (locked)
//        node race-worker.mjs clobber <dir> <startAtMs> <count> <prefix>  saves memories as a Claude Code session
//                                                                          does: topic file, then the whole index
//                                                                          rewritten from a read made earlier (no lock)
//        node race-worker.mjs repair <dir> <stopFile>                     repairs in a loop until stopFile exists
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryIndex } from '../../../dist/index.js';

const [mode, dir, arg1 = '0', count = '1', prefix = 'p'] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const waitUntil = async (startAt) => {
  while (Date.now() < Number(startAt)) await sleep(1);
};

if (mode === 'add') {
  const memory = await MemoryIndex.open({ dir, durable: false, lock: { timeoutMs: 60_000 } });
  await waitUntil(arg1);
  for (let index = 0; index < Number(count); index++) {
    await memory.upsert({ topic: `${prefix}-${index}`, description: `memory ${index} of ${prefix}`, type: index % 2 ? 'user' : 'project' });
  }
  process.stdout.write(JSON.stringify({ added: Number(count) }) + '\n');
} else if (mode === 'clobber') {
  await waitUntil(arg1);
  for (let index = 0; index < Number(count); index++) {
    const name = `${prefix}-${index}`;
    await writeFile(join(dir, `${name}.md`), `---\nname: ${name}\ndescription: saved by ${prefix}\ntype: feedback\n---\n\nfact ${index}\n`);
    const stale = await readFile(join(dir, 'MEMORY.md'), 'utf8').catch(() => '# Memory\n\n');
    await sleep(5 + Math.random() * 10); // the model thinks; the others save meanwhile
    const temp = join(dir, `.MEMORY.md.${process.pid}.tmp`);
    await writeFile(temp, `${stale}- [${name}](${name}.md) — saved by ${prefix}\n`);
    await rename(temp, join(dir, 'MEMORY.md'));
  }
  process.stdout.write(JSON.stringify({ saved: Number(count) }) + '\n');
} else if (mode === 'repair') {
  const memory = await MemoryIndex.open({ dir, durable: false, lock: { timeoutMs: 60_000 } });
  let runs = 0;
  let restored = 0;
  let removed = 0;
  while (!existsSync(arg1)) {
    const result = await memory.repair();
    runs++;
    restored += result.restored.length;
    removed += result.removed.length;
    await sleep(1);
  }
  process.stdout.write(JSON.stringify({ runs, restored, removed }) + '\n');
} else {
  throw new Error(`unknown mode ${mode}`);
}
