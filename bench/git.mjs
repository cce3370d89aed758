// npm run bench:git: what the git store costs on a local server, against the floor of git itself
// (`git ls-remote` plus `git push` of one ref), with 1, 100 and 1 000 handoffs pending.
// Options: --transport daemon,http --pending 1,100,1000 --runs 5 --writes 20
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { HandoffStore, gitStore } from '../dist/index.js';
import { startServer } from '../test/stress/git-servers.mjs';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    transport: { type: 'string', default: 'daemon,http' },
    pending: { type: 'string', default: '1,100,1000' },
    runs: { type: 'string', default: '5' },
    writes: { type: 'string', default: '20' },
  },
});
const runs = Number(values.runs);

const root = await mkdtemp(join(tmpdir(), 'handoffs-git-bench-'));
const home = join(root, 'home');
await mkdir(home, { recursive: true });
await writeFile(join(home, '.gitconfig'), '[user]\n\tname = Bench\n\temail = bench@example.invalid\n');
const env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(home, '.gitconfig'), LANG: 'C.UTF-8' };
Object.assign(process.env, env);
const repos = join(root, 'remotes');
await mkdir(repos);

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const ms = (value) => (value < 10 ? value.toFixed(1) : Math.round(value).toString());
const time = async (task) => {
  const started = performance.now();
  await task();
  return performance.now() - started;
};
let serial = 0;
const store = (url, dir) => {
  const backend = gitStore({ remote: url, dir, onWarning: () => {} });
  return { backend, handoffs: new HandoffStore({ store: backend, onWarning: () => {} }) };
};

/** Puts `count` pending handoffs on the remote with one sync (queued offline first, then pushed together). */
async function populate(url, count) {
  const dir = join(root, `filler-${serial++}`);
  const offline = new HandoffStore({ store: gitStore({ remote: `file://${join(root, 'nowhere.git')}`, dir, onWarning: () => {} }), onWarning: () => {} });
  for (let index = 0; index < count; index++) await offline.write({ slug: `pending-${index % 50}`, body: `pending handoff ${index}\n`.repeat(20) });
  const sync = await store(url, dir).backend.sync();
  if (sync.published.length !== count) throw new Error(`populated ${sync.published.length} of ${count}`);
}

const rows = [];
for (const transport of values.transport.split(',')) {
  const server = await startServer(transport, repos, env);
  for (const pending of values.pending.split(',').map(Number)) {
    // A fresh repository per run: `pending` handoffs and nothing else on the remote.
    const fresh = async (round) => {
      const name = `bench-${transport}-${pending}-${round}`;
      await run('git', ['init', '--quiet', '--bare', join(repos, `${name}.git`)], { env });
      await run('git', ['--git-dir', join(repos, `${name}.git`), 'config', 'http.receivepack', 'true'], { env });
      return server.url(name);
    };
    // The floor: git alone, one listing and one push of one ref, with the same refs on the remote.
    const scratch = join(root, `floor-${serial++}.git`);
    await run('git', ['init', '--quiet', '--bare', scratch], { env });
    // The empty tree: git knows it without storing it.
    const tree = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
    const startTimes = [];
    const idleTimes = [];
    const writeTimes = [];
    const floorList = [];
    const floorPush = [];
    const trips = [];
    const requests = [];
    let url;
    for (let round = 0; round < runs; round++) {
      url = await fresh(round);
      await populate(url, pending);
      // An idle look (nothing this machine may take is missing): what every start pays at least.
      const idle = store(url, join(root, `idle-${serial++}`));
      await idle.backend.open();
      const commit = (await run('git', ['--git-dir', scratch, 'commit-tree', tree, '-m', `floor ${round}`], { env })).stdout.trim();
      floorList.push(await time(() => run('git', ['ls-remote', url], { env })));
      floorPush.push(await time(() => run('git', ['--git-dir', scratch, 'push', '--quiet', url, `${commit}:refs/floor/r${round}`], { env })));
      await run('git', ['--git-dir', scratch, 'push', '--quiet', url, `:refs/floor/r${round}`], { env });
      const reader = store(url, join(root, `reader-${serial++}`));
      const backend = await reader.backend.open();
      const before = server.requests?.length ?? 0;
      let delivered = 0;
      startTimes.push(
        await time(async () => {
          delivered = (await reader.handoffs.start()).handoffs.length;
        }),
      );
      if (delivered !== pending) throw new Error(`start delivered ${delivered} of ${pending}`);
      trips.push(backend.remote.roundTrips);
      requests.push((server.requests?.length ?? 0) - before);
      // The same refs, now consumed (kept for retention): a start that finds nothing to take.
      idleTimes.push(await time(() => idle.handoffs.start()));
    }
    // The floor at N: bare git updating N refs in one push, which a start does twice (claim, acknowledge).
    const ids = [];
    for (let index = 0; index < pending; index++) ids.push((await run('git', ['--git-dir', scratch, 'commit-tree', tree, '-m', `floor ${index}`], { env })).stdout.trim());
    const floorMany = await time(() => run('git', ['--git-dir', scratch, 'push', '--quiet', url, ...ids.map((id, index) => `${id}:refs/floor/n${index}`)], { env, maxBuffer: 1 << 26 }));
    // Writes on a remote holding `pending` refs (now consumed, kept for retention).
    const writer = store(url, join(root, `writer-${serial++}`));
    await writer.backend.open();
    for (let index = 0; index < Number(values.writes); index++) writeTimes.push(await time(() => writer.handoffs.write({ slug: 'bench', body: `write ${index}` })));
    rows.push({
      transport,
      pending,
      start: median(startTimes),
      idle: median(idleTimes),
      write: median(writeTimes),
      floor: median(floorList) + median(floorPush),
      floorMany,
      list: median(floorList),
      push: median(floorPush),
      trips: Math.max(...trips),
      requests: transport === 'http' ? Math.max(...requests) : undefined,
    });
    process.stderr.write(`done: ${transport} ${pending}\n`);
  }
  await server.dispose();
}

console.log('| transport | handoffs on the remote | start (claims and acknowledges all) | start with nothing to take | write | floor: `git ls-remote` + `git push` of one ref | ls-remote | push | `git push` of N refs | round trips per start | HTTP requests per start |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.transport} | ${row.pending} | ${ms(row.start)} ms | ${ms(row.idle)} ms | ${ms(row.write)} ms | ${ms(row.floor)} ms | ${ms(row.list)} ms | ${ms(row.push)} ms | ${ms(row.floorMany)} ms | ${row.trips} | ${row.requests ?? '–'} |`,
  );
}
console.log(`\nMedians of ${runs} runs (writes: ${values.writes}). Node ${process.version}, ${cpus().length} cores, git ${(await run('git', ['--version'])).stdout.trim().replace('git version ', '')}.`);
await rm(root, { recursive: true, force: true });
