import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitStore, HandoffStore } from '../../src/index.js';
import { git, isolatedGitEnv, repositoryRoot, startDaemon, type RepositoryRoot } from '../support/git-server.js';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

/** Runs the built CLI in `cwd` with `env` (a throw-away HOME); resolves with its exit code and output. */
function run(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...env, NO_COLOR: '1' }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

describe('handoffs sync (built CLI, real git daemon)', () => {
  let root: RepositoryRoot;
  let isolated: Awaited<ReturnType<typeof isolatedGitEnv>>;
  let work: string;
  beforeEach(async () => {
    root = await repositoryRoot();
    await root.create('app');
    isolated = await isolatedGitEnv();
    work = await mkdtemp(join(tmpdir(), 'handoffs-git-cli-'));
  });
  afterEach(async () => {
    await root.dispose();
    await isolated.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('publishes what was queued while the remote was down, says what it did, and exits 1 while it is down', async () => {
    const daemon = await startDaemon(root, isolated.env);
    try {
      const clone = join(work, 'clone');
      await git(['clone', '--quiet', daemon.url('app'), clone], { env: isolated.env });
      const env = { ...isolated.env, HANDOFFS_DIR: join(isolated.home, '.claude', 'handoffs') };
      const open = () =>
        new HandoffStore({ store: gitStore({ remote: 'origin', cwd: clone, handoffsDir: env.HANDOFFS_DIR, onWarning: () => {}, offlineRetryMs: 0 }) });

      await daemon.stop();
      const saved = { ...process.env };
      Object.assign(process.env, isolated.env);
      try {
        await open().write({ slug: 'queued', body: 'written while the remote was down' });
      } finally {
        process.env = saved;
      }
      const down = await run(['sync', '--store', 'git:origin'], clone, env);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/^handoffs: git:origin \(git:\/\/127\.0\.0\.1:\d+\/app\.git\) not reached \(.*\); 1 handoff stays queued on this machine\n$/);

      await daemon.start();
      const up = await run(['sync'], clone, { ...env, HANDOFFS_STORE: 'git:origin' });
      expect(up).toMatchObject({ code: 0, stderr: '' });
      expect(up.stdout).toMatch(/^published 1 handoff to git:origin \(git:\/\/127\.0\.0\.1:\d+\/app\.git\); 0 still queued here\n$/);
      expect(await git(['ls-remote', daemon.url('app'), 'refs/handoffs/*'], { env: isolated.env })).toMatch(/refs\/handoffs\/\d{4}-\d{2}-\d{2}_\d{6}_queued\n$/);

      const json = JSON.parse((await run(['sync', '--store', 'git:origin', '--json'], clone, env)).stdout);
      expect(json).toMatchObject({ store: expect.stringMatching(/^git:origin \(git:/), reached: true, published: [], queued: 0 });
      expect((await run(['sync'], clone, env)).code).toBe(2);
    } finally {
      await daemon.dispose();
    }
  });
});
