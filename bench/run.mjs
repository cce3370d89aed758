// npm run bench: every figure is a ratio against a baseline measured in the same run, because
// absolute times on a shared machine drift. Prints Markdown; a full run also writes the figures into
// docs/BENCHMARKS.md (between its markers) and the chart docs/benchmarks/consume.svg.
// Options: --quick (smaller sizes, for a look), --only write,consume,list,cleanup,memory,cli,rss
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import MarkdownIt from 'markdown-it';
import { Bench } from 'tinybench';
import writeFileAtomic from 'write-file-atomic';
import { HandoffStore, MemoryIndex } from '../dist/index.js';
import { chart } from './chart.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
const quick = values.quick === true;
const only = new Set((values.only ?? 'write,consume,list,cleanup,memory,cli,rss').split(','));
const root = fs.mkdtempSync(join(tmpdir(), 'handoffs-bench-'));
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const run = promisify(execFile);
const BODY = `${'Done: the thing. Next: the other thing.\n'.repeat(50)}`; // ~2 KB, a typical handoff
const out = [];
const print = (line = '') => {
  out.push(line);
  console.log(line);
};
const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
let serial = 0;

async function tiny(tasks, time = quick ? 300 : 1000) {
  const bench = new Bench({ time, warmupTime: 100 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  return Object.fromEntries(bench.tasks.map((task) => [task.name, task.result.latency.p50]));
}

/** Runs destructive variants in alternation: setup (untimed), then the timed call, per round. */
async function rounds(count, variants) {
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < count; round++) {
    for (const [name, { setup, measure }] of Object.entries(variants)) {
      const state = await setup();
      const start = process.hrtime.bigint();
      await measure(state);
      times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
}

function makeDir(name) {
  const dir = join(root, `${name}-${serial++}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function pendingName(index) {
  const seconds = index % 60;
  const minutes = Math.floor(index / 60) % 60;
  const hours = Math.floor(index / 3600) % 24;
  const pad = (value) => String(value).padStart(2, '0');
  return `2026-02-27_${pad(hours)}${pad(minutes)}${pad(seconds)}_task-${index}.md`;
}

function seedPending(dir, count, body = BODY) {
  for (let index = 0; index < count; index++) fs.writeFileSync(join(dir, pendingName(index)), body);
}

function seedDone(dir, count) {
  for (let index = 0; index < count; index++) fs.writeFileSync(join(dir, `2025-01-01_000000_old-${index}_done.md`), 'old');
}

function clearConsumed(dir) {
  for (const name of fs.readdirSync(dir)) if (name.startsWith('2026-02-27_') && name.endsWith('_done.md')) fs.unlinkSync(join(dir, name));
}

// ---------------------------------------------------------------------------------------------
async function benchWrite() {
  print('## 1. `write()` against the syscall floor and alternatives');
  print();
  print('Median time per write of a 2 KB handoff; ratio to the floor with the same durability.');
  print();
  print('| durability | floor (node:fs: temp, link, unlink) | `write()` | write-file-atomic | fs.writeFile (not atomic) |');
  print('| --- | ---: | ---: | ---: | ---: |');
  for (const durable of [false, true]) {
    const dirs = { ours: makeDir('w-ours'), floor: makeDir('w-floor'), wfa: makeDir('w-wfa'), plain: makeDir('w-plain') };
    const store = new HandoffStore({ dir: dirs.ours, durable });
    let n = 0;
    const result = await tiny({
      floor: async () => {
        const temp = join(dirs.floor, `.tmp-${n}`);
        const handle = await fsp.open(temp, 'wx', 0o600);
        await handle.writeFile(BODY);
        if (durable) await handle.sync();
        await handle.close();
        await fsp.link(temp, join(dirs.floor, `2026-02-27_143022_task-${n++}.md`));
        await fsp.unlink(temp);
        if (durable) {
          const dirHandle = await fsp.open(dirs.floor, 'r');
          await dirHandle.sync();
          await dirHandle.close();
        }
      },
      ours: () => store.write({ slug: 'task', body: BODY }),
      wfa: () => writeFileAtomic(join(dirs.wfa, `f-${n++}.md`), BODY, { fsync: durable, mode: 0o600 }),
      plain: () => fsp.writeFile(join(dirs.plain, `f-${n++}.md`), BODY, { mode: 0o600 }),
    });
    const ratio = (name) => `${fmt(result[name] * 1000, 0)} µs (${fmt(result[name] / result.floor)}×)`;
    print(`| ${durable ? 'fsync file and dir' : 'no fsync'} | ${fmt(result.floor * 1000, 0)} µs (1.00×) | ${ratio('ours')} | ${ratio('wfa')} | ${ratio('plain')} |`);
  }
  print();
  print('write-file-atomic fsyncs the file only, not the directory, so at "fsync" it does less work than the other two.');
  print();
}

// ---------------------------------------------------------------------------------------------
const consumePoints = [];
async function benchConsume() {
  print('## 2. `consume()` of N pending handoffs');
  print();
  print('Median of alternating rounds; floor = readdir, then rename and read each file in a plain loop;');
  print('shell = the seed pattern (`ls | grep -v _done.md`, then `cat` and `mv` per file) run by bash.');
  print();
  print('| N | consumed files already there | floor | `consume()` | ratio to floor | shell | shell ÷ `consume()` |');
  print('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const sizes = quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
  for (const background of quick ? [0] : [0, 100_000]) {
    const dir = makeDir('c');
    seedDone(dir, background);
    for (const n of sizes) {
      const variants = {
        floor: {
          setup: () => (clearConsumed(dir), seedPending(dir, n)),
          async measure() {
            for (const name of await fsp.readdir(dir)) {
              if (!name.endsWith('.md') || name.endsWith('_done.md')) continue;
              const done = join(dir, `${name.slice(0, -3)}_done.md`);
              await fsp.rename(join(dir, name), done);
              await fsp.readFile(done, 'utf8');
            }
          },
        },
        ours: {
          setup: () => (clearConsumed(dir), seedPending(dir, n)),
          measure: () => new HandoffStore({ dir, durable: false }).consume(),
        },
      };
      if (n <= 1000) {
        variants.shell = {
          setup: () => (clearConsumed(dir), seedPending(dir, n)),
          measure: () =>
            run('bash', [
              '-c',
              `cd "$1" && for f in $(ls | grep '\\.md$' | grep -v '_done\\.md$'); do cat "$f" > /dev/null; mv "$f" "\${f%.md}_done.md"; done`,
              'bash',
              dir,
            ]),
        };
      }
      const result = await rounds(n >= 10_000 ? 3 : n >= 1000 ? 5 : 9, variants);
      print(
        `| ${n} | ${background} | ${fmt(result.floor)} ms | ${fmt(result.ours)} ms | ${fmt(result.ours / result.floor)}× | ${
          result.shell === undefined ? 'not run' : `${fmt(result.shell)} ms`
        } | ${result.shell === undefined ? '' : `${fmt(result.shell / result.ours, 1)}×`} |`,
      );
      if (background === 0) consumePoints.push({ n, floor: result.floor, ours: result.ours, shell: result.shell });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const at = (n) => consumePoints.find((point) => point.n === n);
  if (at(100) && at(sizes.at(-1))) {
    const last = sizes.at(-1);
    print();
    print(
      `Per-handoff cost at N = ${last} over N = 100: ${fmt(at(last).ours / last / (at(100).ours / 100))}× ` +
        `(floor: ${fmt(at(last).floor / last / (at(100).floor / 100))}×).`,
    );
  }
  fs.mkdirSync(join(import.meta.dirname, '..', 'docs', 'benchmarks'), { recursive: true });
  fs.writeFileSync(join(import.meta.dirname, '..', 'docs', 'benchmarks', 'consume.svg'), chart(consumePoints));
  print();
  print('![consume cost against N, log-log](benchmarks/consume.svg)');
  print();
}

// ---------------------------------------------------------------------------------------------
async function benchList() {
  print('## 3a. `list()`: every handoff read (its front matter holds the instant it was written)');
  print();
  print('| N pending | consumed files there | floor (readdir + filter) | `list()` | ratio | `list()` with 100 KB bodies ÷ 100 B bodies |');
  print('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of quick ? [10, 100, 1000] : [10, 100, 1000, 10_000]) {
    const background = quick ? 0 : 10_000;
    const small = makeDir('l');
    const large = makeDir('l');
    seedPending(small, n, 'x'.repeat(100));
    seedPending(large, n, 'x'.repeat(100_000));
    seedDone(small, background);
    seedDone(large, background);
    const storeSmall = new HandoffStore({ dir: small });
    const storeLarge = new HandoffStore({ dir: large });
    const result = await tiny({
      floor: async () => (await fsp.readdir(small)).filter((name) => name.endsWith('.md') && !name.endsWith('_done.md')),
      ours: () => storeSmall.list(),
      oursLarge: () => storeLarge.list(),
    });
    print(`| ${n} | ${background} | ${fmt(result.floor)} ms | ${fmt(result.ours)} ms | ${fmt(result.ours / result.floor)}× | ${fmt(result.oursLarge / result.ours)}× |`);
    fs.rmSync(small, { recursive: true, force: true });
    fs.rmSync(large, { recursive: true, force: true });
  }
  print();
}

async function benchCleanup() {
  print('## 3b. `cleanup()`: deleting N expired consumed handoffs among N pending');
  print();
  print('| N | floor (readdir, lstat, unlink) | `cleanup()` | ratio | with 100 KB bodies ÷ 100 B |');
  print('| ---: | ---: | ---: | ---: | ---: |');
  const old = new Date(Date.now() - 30 * 86_400_000);
  const seed = (dir, n, size) => {
    seedPending(dir, n, 'x'.repeat(size));
    for (let index = 0; index < n; index++) {
      const path = join(dir, `2025-01-01_000000_old-${index}_done.md`);
      fs.writeFileSync(path, 'x'.repeat(size));
      fs.utimesSync(path, old, old);
    }
  };
  for (const n of quick ? [10, 100, 1000] : [10, 100, 1000, 10_000]) {
    const result = await rounds(n >= 10_000 ? 3 : 5, {
      floor: {
        setup: () => {
          const dir = makeDir('k');
          seed(dir, n, 100);
          return dir;
        },
        async measure(dir) {
          const cutoff = Date.now() - 7 * 86_400_000;
          for (const name of await fsp.readdir(dir)) {
            if (!name.endsWith('_done.md')) continue;
            const info = await fsp.lstat(join(dir, name));
            if (info.mtimeMs < cutoff) await fsp.unlink(join(dir, name));
          }
        },
      },
      ours: {
        setup: () => {
          const dir = makeDir('k');
          seed(dir, n, 100);
          return dir;
        },
        measure: (dir) => new HandoffStore({ dir }).cleanup(),
      },
      oursLarge: {
        setup: () => {
          const dir = makeDir('k');
          seed(dir, n, 100_000);
          return dir;
        },
        measure: (dir) => new HandoffStore({ dir }).cleanup(),
      },
    });
    print(`| ${n} | ${fmt(result.floor)} ms | ${fmt(result.ours)} ms | ${fmt(result.ours / result.floor)}× | ${fmt(result.oursLarge / result.ours)}× |`);
  }
  print();
}

// ---------------------------------------------------------------------------------------------
async function benchMemory() {
  print('## 4. MemoryIndex');
  print();
  const dir = makeDir('m');
  const lines = ['# Memory', '', 'Index of topic files.', ''];
  let topic = 0;
  for (let section = 0; section < 9; section++) {
    lines.push(`## Section ${section}`, '');
    for (let entry = 0; entry < 20; entry++, topic++) {
      lines.push(`- [Topic ${topic}](topic-${topic}.md) — notes about subject ${topic}, deploys and hosts ${topic % 7}`);
    }
    lines.push('');
  }
  const index = `${lines.slice(0, 200).join('\n')}\n`;
  fs.writeFileSync(join(dir, 'MEMORY.md'), index);
  for (let file = 0; file < 1000; file++) fs.writeFileSync(join(dir, `topic-${file}.md`), `# Topic ${file}\n\n${'detail '.repeat(200)}\n`);
  const result = await tiny({
    floor: async () => {
      await fsp.readFile(join(dir, 'MEMORY.md'), 'utf8');
      await fsp.readdir(dir, { withFileTypes: true });
    },
    ours: async () => {
      const memory = await MemoryIndex.open({ dir });
      await memory.lint();
      await memory.search('deploys hosts');
    },
  });
  print(`open + lint + search, 200-line index over 1 000 topic files: ${fmt(result.ours)} ms; the I/O floor (read the index, list the directory) ${fmt(result.floor)} ms: ${fmt(result.ours / result.floor, 1)}×.`);
  print();
  const flat = [];
  for (let section = 0; flat.length < 5000; section++) {
    flat.push(`## Section ${section}`, '', `Section ${section} is about one thing. Then more.`, '');
    for (let line = 0; line < 20; line++) flat.push(`- fact ${line} of ${section}`);
    flat.push('');
  }
  const text = flat.slice(0, 5000).join('\n');
  const parser = new MarkdownIt('commonmark');
  const split = await tiny({ floor: () => parser.parse(text, {}), ours: () => MemoryIndex.split(text) });
  print(`split of a 5 000-line flat file: ${fmt(split.ours)} ms; one markdown-it parse of it ${fmt(split.floor)} ms: ${fmt(split.ours / split.floor, 1)}×.`);
  print();
}

// ---------------------------------------------------------------------------------------------
async function benchCli() {
  print('## 5. CLI start-up');
  print();
  const home = makeDir('home');
  const dir = join(home, '.claude', 'handoffs');
  fs.mkdirSync(dir, { recursive: true });
  const env = { ...process.env, HOME: home };
  const time = (args) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const samples = { bare: [], empty: [], hundred: [] };
  for (let round = 0; round < (quick ? 5 : 20); round++) {
    samples.bare.push(time(['-e', '0']));
    samples.empty.push(time([cli, 'start']));
    seedPending(dir, 100);
    samples.hundred.push(time([cli, 'start', '--all-projects']));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }
  const bare = median(samples.bare);
  print('| command | median | ÷ `node -e 0` |');
  print('| --- | ---: | ---: |');
  print(`| \`node -e 0\` | ${fmt(bare, 1)} ms | 1.00× |`);
  print(`| \`handoffs start\`, nothing pending | ${fmt(median(samples.empty), 1)} ms | ${fmt(median(samples.empty) / bare)}× |`);
  print(`| \`handoffs start\`, 100 pending | ${fmt(median(samples.hundred), 1)} ms | ${fmt(median(samples.hundred) / bare)}× |`);
  print();
}

// ---------------------------------------------------------------------------------------------
async function benchRss() {
  print('## 6. Peak memory of consume: 10 000 handoffs of 100 KB (1 GB)');
  print();
  const n = quick ? 1000 : 10_000;
  const script = (variant, dir) => `
    const fsp = require('node:fs/promises'); const path = require('node:path');
    (async () => {
      if (${JSON.stringify(variant)} === 'floor') {
        const bodies = [];
        for (const name of await fsp.readdir(${JSON.stringify(dir)})) {
          const done = path.join(${JSON.stringify(dir)}, name.slice(0, -3) + '_done.md');
          await fsp.rename(path.join(${JSON.stringify(dir)}, name), done);
          bodies.push(await fsp.readFile(done, 'utf8'));
        }
        globalThis.keep = bodies;
      } else {
        const { HandoffStore } = require(${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'index.cjs'))});
        const result = await new HandoffStore({ dir: ${JSON.stringify(dir)}, durable: false }).consume();
        globalThis.keep = result.handoffs;
      }
      process.stdout.write(String(process.resourceUsage().maxRSS));
    })();`;
  const body = 'y'.repeat(100_000);
  const measure = (variant) => {
    const dir = makeDir('rss');
    seedPending(dir, n, body);
    const rss = Number(execFileSync(process.execPath, ['-e', script(variant, dir)]).toString()) / 1024;
    fs.rmSync(dir, { recursive: true, force: true });
    return rss;
  };
  const floor = measure('floor');
  const ours = measure('ours');
  const bytes = (n * body.length) / 1024 / 1024;
  print(`| | peak RSS | ÷ body bytes (${fmt(bytes, 0)} MB) |`);
  print('| --- | ---: | ---: |');
  print(`| floor (read every body into an array) | ${fmt(floor, 0)} MB | ${fmt(floor / bytes)}× |`);
  print(`| \`consume()\`, bodies kept, \`merged\` not read | ${fmt(ours, 0)} MB | ${fmt(ours / bytes)}× |`);
  print();
  print(`Ratio to the floor: ${fmt(ours / floor)}×.`);
  print();
}

// ---------------------------------------------------------------------------------------------
try {
  print(`Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 0)} GiB, ${process.platform}; temporary directory ${tmpdir()}.`);
  print();
  if (only.has('write')) await benchWrite();
  if (only.has('consume')) await benchConsume();
  if (only.has('list')) await benchList();
  if (only.has('cleanup')) await benchCleanup();
  if (only.has('memory')) await benchMemory();
  if (only.has('cli')) await benchCli();
  if (only.has('rss')) await benchRss();
  // The report's figures are replaced in place, between its markers, so they are always the latest.
  const report = join(import.meta.dirname, '..', 'docs', 'BENCHMARKS.md');
  const text = fs.readFileSync(report, 'utf8');
  const [begin, end] = ['<!-- figures:begin -->', '<!-- figures:end -->'];
  if (!quick && !values.only && text.includes(begin) && text.includes(end)) {
    fs.writeFileSync(report, `${text.slice(0, text.indexOf(begin) + begin.length)}\n${out.join('\n')}\n${text.slice(text.indexOf(end))}`);
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
