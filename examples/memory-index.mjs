// MemoryIndex: turn a flat MEMORY.md into a lean index over topic files, then use it.
// Run: npm run build && node examples/memory-index.mjs
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryIndex } from 'handoffs';

const dir = await mkdtemp(join(tmpdir(), 'handoffs-memory-'));
try {
  const flat = [
    '# Memory',
    '',
    '## Identity',
    'I am the release engineer for the billing service. I work in UTC.',
    '',
    '## Infrastructure',
    'Production runs on three hosts behind a load balancer. Deploys go through CI.',
    '- db: postgres 16 on db-1',
    '',
    '## Voice rules',
    'Short sentences. No marketing words.',
    '',
  ].join('\n');
  await writeFile(join(dir, 'MEMORY.md'), flat);

  // Plan first (writes nothing), then apply.
  const plan = MemoryIndex.split(flat);
  console.log(`split plans ${plan.topics.length} topic files: ${plan.topics.map((topic) => topic.file).join(', ')}`);
  await MemoryIndex.applySplit(plan, { dir });

  const memory = await MemoryIndex.open({ dir });
  await memory.upsert({
    topic: 'completed-work',
    title: 'Completed work',
    section: 'Topics',
    summary: 'What shipped and when; read before planning a release.',
    body: '# Completed work\n\n- v2.3 deployed on 2026-02-27\n',
  });

  console.log(`\nMEMORY.md (${memory.render().split('\n').length - 1} lines):\n\n${memory.render()}`);
  const [best] = await memory.search('what shipped');
  console.log(`search "what shipped" → ${best.file}: ${best.summary}`);
  console.log(`\n${best.file}:\n${await memory.read(best.file)}`);
  const problems = await memory.lint();
  console.log(`lint: ${problems.length === 0 ? 'clean' : problems.map((problem) => problem.code).join(', ')}`);
  console.log(`files: ${(await readdir(dir)).sort().join(', ')}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
