import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

const run = promisify(execFile);

// The built package in a folder whose node_modules has every installed package but `pg`: what a
// user of the directory store gets, who never installed the PostgreSQL client.
describe('pg is an optional peer dependency', () => {
  let box: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    box = await tempDir();
    await cp('dist', join(box.root, 'dist'), { recursive: true });
    await writeFile(join(box.root, 'package.json'), JSON.stringify({ name: 'handoffs', type: 'module' }));
    await mkdir(join(box.root, 'node_modules'));
    for (const name of await readdir('node_modules')) {
      if (name === 'pg' || name.startsWith('.')) continue;
      await symlink(join(process.cwd(), 'node_modules', name), join(box.root, 'node_modules', name));
    }
  });
  afterAll(() => box.dispose());

  const script = (load: string) => `
    const { HandoffStore } = ${load};
    const dir = new HandoffStore({ dir: process.argv[1] + '/handoffs', onWarning() {} });
    await dir.write({ slug: 'files', body: 'no pg needed' });
    const consumed = (await dir.consume()).handoffs.map((handoff) => handoff.body);
    const error = await new HandoffStore({ store: 'postgres://u:secret@127.0.0.1:1/db' }).list().catch((caught) => caught);
    console.log(JSON.stringify({ consumed, code: error.code, message: error.message }));`;

  it.each([
    ['ESM', "await import('./dist/index.js')"],
    ['CJS', "require('./dist/index.cjs')"],
  ])('%s: the directory store works without it; a postgres:// store says what to install', async (format, load) => {
    const source = format === 'ESM' ? script(load) : `(async () => {${script(load)}})()`;
    const { stdout } = await run(process.execPath, [format === 'ESM' ? '--input-type=module' : '--input-type=commonjs', '-e', source, box.root], {
      cwd: box.root,
    });
    const result = JSON.parse(stdout) as { consumed: string[]; code: string; message: string };
    expect(result).toMatchObject({ consumed: ['no pg needed'], code: 'MISSING_DEPENDENCY' });
    expect(result.message).toContain('npm install pg');
    expect(result.message).not.toContain('secret');
  });
});
