// The main job, on a temporary directory: five "sessions" end at the same moment.
// Run: npm run demo   (builds first; this file imports the package by its own name)
import { fork } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HandoffStore } from 'handoffs';

const SESSIONS = 5;
const [role, dir, startAt, index] = process.argv.slice(2);

async function waitFor(instant) {
  while (Date.now() < instant) await new Promise((resolve) => setTimeout(resolve, 1));
}

if (role === 'old-way') {
  // The single-file pattern: every session overwrites the same path.
  await waitFor(Number(startAt));
  await writeFile(join(dir, 'context-handoff.md'), `context of session ${index}\n`);
} else if (role === 'new-way') {
  await waitFor(Number(startAt));
  const store = new HandoffStore({ dir: join(dir, 'handoffs') });
  await store.end({ slug: 'session end', body: `context of session ${index}\n` });
} else {
  const root = await mkdtemp(join(tmpdir(), 'handoffs-demo-'));
  const runSessions = async (kind) => {
    const instant = Date.now() + 500;
    const children = Array.from({ length: SESSIONS }, (_, i) => fork(import.meta.filename, [kind, root, String(instant), String(i + 1)]));
    await Promise.all(children.map((child) => new Promise((resolve) => child.on('exit', resolve))));
  };
  try {
    console.log(`Temporary directory: ${root}\n`);

    await runSessions('old-way');
    const survivor = await readFile(join(root, 'context-handoff.md'), 'utf8');
    console.log(`One shared file, ${SESSIONS} sessions ending at once: 1 context survives, ${SESSIONS - 1} are lost.`);
    console.log(`  context-handoff.md holds only: ${survivor.trim()}\n`);

    await runSessions('new-way');
    const files = (await readdir(join(root, 'handoffs'))).sort();
    console.log(`handoffs, ${SESSIONS} separate processes in the same second: ${files.length} files, none overwritten.`);
    for (const file of files) console.log(`  ${file}`);

    // Two new sessions start at once; each handoff goes to exactly one of them.
    const [a, b] = await Promise.all([0, 1].map(() => new HandoffStore({ dir: join(root, 'handoffs') }).start()));
    console.log(`\nTwo sessions start at once: session A claims ${a.handoffs.length}, session B claims ${b.handoffs.length}, total ${a.handoffs.length + b.handoffs.length} of ${SESSIONS}.`);
    for (const [label, session] of [['A', a], ['B', b]]) {
      if (session.handoffs.length > 0) console.log(`\nMerged context handed to session ${label}:\n\n${session.merged.replace(/^/gm, '  ')}`);
    }
    console.log(`Consumed files stay for 7 days: ${(await readdir(join(root, 'handoffs'))).filter((f) => f.endsWith('_done.md')).length} *_done.md files.`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
