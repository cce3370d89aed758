// A custom harness: parallel workers (separate processes) each end with a handoff; the next
// planning step starts by consuming all of them at once, scoped to the project.
// Run: npm run build && node examples/harness.mjs
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HandoffStore } from 'handoffs';

const PROJECT = '/srv/billing-service';

if (process.argv[2] === 'worker') {
  const [, , , dir, task] = process.argv;
  const store = new HandoffStore({ dir });
  // ... the worker's real job would run here ...
  await store.end({
    slug: task,
    body: `Finished ${task}.\nNext: review the diff for ${task}.\n`,
    meta: { project: PROJECT, tags: ['worker'] },
  });
} else {
  const dir = await mkdtemp(join(tmpdir(), 'handoffs-harness-'));
  try {
    const tasks = ['parse-invoices', 'fix-rounding', 'update-schema', 'write-tests', 'bump-deps', 'docs'];
    await Promise.all(
      tasks.map((task) => new Promise((resolve, reject) => {
        fork(import.meta.filename, ['worker', dir, task]).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${task} exited ${code}`))));
      })),
    );
    // A handoff for another project, which this harness must leave alone.
    await new HandoffStore({ dir }).write({ slug: 'other-repo', body: 'not ours', meta: { project: '/srv/other' } });

    const planner = new HandoffStore({ dir });
    const { handoffs, merged, skipped } = await planner.start({ project: PROJECT, maxLines: 40 });
    console.log(`${tasks.length} workers finished; the planner claimed ${handoffs.length} handoffs, left ${skipped.length} for another project.\n`);
    console.log(merged);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
