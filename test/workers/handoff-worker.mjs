// A separate OS process that writes or consumes handoffs on real disk, for the race tests.
// Usage: node handoff-worker.mjs <mode> <dir> <startAtMs> [count] [slug] [fixedTimeMs]
//   write: count handoffs; consume: count passes; cleanup: count passes;
//   write-forever, consume-forever: until killed (crash tests); claim-and-hold: claims, then waits to be killed.
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
} else if (mode === 'write-forever') {
  // Crash target: large self-checking bodies (1 to 5 MB) until killed. count = seed for sizes.
  process.stdout.write('ready\n');
  for (let index = 0; ; index++) {
    const size = 1_000_000 + ((index * 7919 + Number(count)) % 4_000_000);
    const id = `${process.pid}-${index}`;
    await store.write({ slug, body: `begin-${id}\n${'x'.repeat(size)}\nend-${id}\n` });
  }
} else if (mode === 'claim-and-hold') {
  // Claims everything, says how many, and never acknowledges: a hook killed at its timeout.
  const claim = await store.claim({ leaseMs: 3_600_000 });
  process.stdout.write(`claimed ${claim.handoffs.length}\n`);
  setInterval(() => {}, 1_000_000);
} else if (mode === 'consume-forever') {
  process.stdout.write('ready\n');
  for (;;) await store.consume();
} else if (mode === 'cleanup') {
  for (let pass = 0; pass < Number(count); pass++) await store.cleanup();
  process.stdout.write(JSON.stringify({ passes: Number(count) }) + '\n');
} else {
  throw new Error(`unknown mode ${mode}`);
}
