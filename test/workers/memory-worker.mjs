// A separate OS process that updates a MemoryIndex on real disk, for the race and crash tests.
// Usage: node memory-worker.mjs upsert <dir> <startAtMs> <count> <prefix>
//        node memory-worker.mjs churn <dir>    (upserts forever, until killed)
import { MemoryIndex } from '../../dist/index.js';

const [mode, dir, startAt = '0', count = '1', prefix = 'p'] = process.argv.slice(2);
const memory = await MemoryIndex.open({ dir, durable: false });
while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 1));

if (mode === 'upsert') {
  for (let index = 0; index < Number(count); index++) {
    await memory.upsert({
      topic: `${prefix}-${index}`,
      section: `Section ${index % 4}`,
      summary: `topic ${index} of ${prefix}`,
      body: `# ${prefix} ${index}\n\nbody of ${prefix}-${index}\n`,
    });
  }
  process.stdout.write(JSON.stringify({ done: Number(count) }) + '\n');
} else if (mode === 'churn') {
  process.stdout.write('ready\n');
  for (let index = 0; ; index++) {
    await memory.upsert({ topic: `churn-${index % 50}`, section: 'Churn', summary: `round ${index}` });
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
