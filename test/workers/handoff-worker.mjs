// A separate OS process that writes or consumes handoffs on real disk, for the race tests.
// Usage: node handoff-worker.mjs <write|consume> <dir> <startAtMs> [count] [slug] [fixedTimeMs]
// Prints one JSON line: the names written, or the handoffs consumed with their bodies.
import { HandoffStore } from '../../dist/index.js';

const [mode, dir, startAt, count = '1', slug = 'race', fixedTime] = process.argv.slice(2);
const now = fixedTime ? () => new Date(Number(fixedTime)) : undefined;
const store = new HandoffStore({ dir, now, durable: false });

// Start together: every process waits for the same wall-clock instant.
while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 1));

if (mode === 'write') {
  const names = [];
  for (let index = 0; index < Number(count); index++) {
    const body = `writer ${process.pid} handoff ${index}\n`;
    names.push((await store.write({ slug, body })).name);
  }
  process.stdout.write(JSON.stringify({ names }) + '\n');
} else if (mode === 'consume') {
  const claimed = [];
  // Several passes so a consumer keeps racing while the others are still claiming.
  for (let pass = 0; pass < Number(count); pass++) {
    const { handoffs } = await store.consume();
    for (const handoff of handoffs) claimed.push({ name: handoff.name, doneName: handoff.doneName, body: handoff.body });
  }
  process.stdout.write(JSON.stringify({ claimed }) + '\n');
} else {
  throw new Error(`unknown mode ${mode}`);
}
