import { spawn } from 'node:child_process';
import { mkdir, readFile, realpath, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeProjectName } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('handoffs memory (built CLI, real processes)', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let home: string;
  let repo: string;
  let cwd: string;
  /** Claude Code's auto-memory folder for `repo`, as the real client names it. */
  let claudeDir: string;

  function run(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, 'memory', ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin.end(stdin);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  beforeEach(async () => {
    sandbox = await tempDir();
    const root = await realpath(sandbox.root);
    home = join(root, 'home');
    repo = join(root, 'my project.v2');
    cwd = join(repo, 'src', 'deep');
    await mkdir(home, { recursive: true });
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(cwd, { recursive: true });
    claudeDir = join(home, '.claude', 'projects', claudeProjectName(repo), 'memory');
  });
  afterEach(() => sandbox.dispose());

  it("where: the auto memory Claude Code loads here, named after the git root, not ~/.claude/memory", async () => {
    expect(claudeDir).toBe(join(home, '.claude', 'projects', `${repo.replace(/[^a-zA-Z0-9]/g, '-')}`, 'memory'));
    expect(await run(['where'])).toEqual({ code: 0, stdout: `${claudeDir}\n`, stderr: '' });
    expect(JSON.parse((await run(['where', '--json'])).stdout)).toEqual({ dir: claudeDir, source: 'claude-default', projectRoot: repo });
    expect((await run(['where'], { CLAUDE_CONFIG_DIR: join(home, 'cfg') })).stdout).toBe(
      `${join(home, 'cfg', 'projects', claudeProjectName(repo), 'memory')}\n`,
    );
    expect((await run(['where'], { HANDOFFS_MEMORY_DIR: join(home, 'mine') })).stdout).toBe(`${join(home, 'mine')}\n`);
    expect((await run(['where', '--memory-dir', join(home, 'flag')], { HANDOFFS_MEMORY_DIR: join(home, 'mine') })).stdout).toBe(
      `${join(home, 'flag')}\n`,
    );
  });

  it('add creates the missing folder (0700) and a topic with front matter; lint is clean', async () => {
    expect(await run(['lint'])).toEqual({ code: 0, stdout: '', stderr: '' });
    const added = await run(['add', '--topic', 'deploy', '--description', 'Deploys go through CI', '--type', 'reference']);
    expect(added).toEqual({ code: 0, stdout: `deploy.md (line 3 of ${join(claudeDir, 'MEMORY.md')})\n`, stderr: '' });
    expect((await stat(claudeDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(join(claudeDir, 'MEMORY.md'), 'utf8')).toBe('## Reference\n\n- [deploy](deploy.md) — Deploys go through CI\n');
    expect(await readFile(join(claudeDir, 'deploy.md'), 'utf8')).toBe(
      '---\nname: deploy\ndescription: Deploys go through CI\ntype: reference\n---\n\n# deploy\n\nDeploys go through CI\n',
    );
    expect((await run(['search', 'ci'])).stdout).toBe('deploy.md\tdeploy — Deploys go through CI\n');
    expect(await run(['lint'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('usage errors: a type outside the four, no description, exit 2', async () => {
    const badType = await run(['add', '--topic', 't', '--description', 'd', '--type', 'notes']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain("--type takes user, feedback, project, reference; got 'notes'");
    expect((await run(['add', '--topic', 't'])).stderr).toContain('--description (or --summary) is required');
  });

  it('a folder named on purpose must exist, except for add', async () => {
    const missing = join(home, 'missing');
    const lint = await run(['lint', '--memory-dir', missing]);
    expect(lint.code).toBe(1);
    expect(lint.stderr).toContain('[NOT_FOUND]');
    expect((await run(['add', '--memory-dir', missing, '--topic', 't', '--description', 'd'])).code).toBe(0);
  });

  it('repair: --dry-run shows the change and writes nothing; repair writes it; a second run has nothing to do', async () => {
    await run(['add', '--topic', 'one', '--description', 'first']);
    await run(['add', '--topic', 'two', '--description', 'second', '--type', 'user']);
    const index = join(claudeDir, 'MEMORY.md');
    const healthy = await readFile(index, 'utf8');
    // A parallel session rewrote the index from a read made before 'two' was added, and saved 'one' twice.
    await unlink(index);
    await writeFile(index, '## Project\n\n- [one](one.md) — first\n- [one](one.md) — first\n');

    const dry = await run(['repair', '--dry-run']);
    expect(dry).toEqual({
      code: 0,
      stdout:
        'would remove line 4 (duplicate of line 3): - [one](one.md) — first\n' +
        'would restore line 7 under ## User: - [two](two.md) — second\n' +
        `dry run: ${index} not written\n`,
      stderr: '',
    });
    expect(await readFile(index, 'utf8')).toBe('## Project\n\n- [one](one.md) — first\n- [one](one.md) — first\n');

    const real = await run(['repair']);
    expect(real.stdout).toBe(
      'remove line 4 (duplicate of line 3): - [one](one.md) — first\n' +
        'restore line 7 under ## User: - [two](two.md) — second\n' +
        `repaired ${index}: 1 line restored, 1 duplicate removed\n`,
    );
    expect(await readFile(index, 'utf8')).toBe(healthy);
    expect(await run(['repair'])).toEqual({ code: 0, stdout: `nothing to repair in ${index}\n`, stderr: '' });
    expect(JSON.parse((await run(['repair', '--json'])).stdout)).toEqual({ restored: [], removed: [], written: false, dryRun: false });
  });

  it('repair --quiet repairs and prints nothing', async () => {
    await run(['add', '--topic', 'one', '--description', 'first']);
    await writeFile(join(claudeDir, 'MEMORY.md'), '');
    expect(await run(['repair', '--quiet'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await readFile(join(claudeDir, 'MEMORY.md'), 'utf8')).toBe('## Project\n\n- [one](one.md) — first\n');
  });

  it("repair --hook: the restored lines as SessionStart context, for the hook input's cwd; {} when nothing was lost; never fails", async () => {
    await run(['add', '--topic', 'one', '--description', 'first']);
    await writeFile(join(claudeDir, 'MEMORY.md'), '# Memory\n');
    // The hook runs wherever; the session's cwd comes in the hook's JSON.
    cwd = home;
    const input = JSON.stringify({ hook_event_name: 'SessionStart', source: 'startup', cwd: join(repo, 'src') });
    const hooked = await run(['repair', '--hook'], {}, input);
    expect(hooked.code).toBe(0);
    expect(JSON.parse(hooked.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'SessionStart',
        additionalContext:
          'Parallel sessions had dropped 1 line from your auto-memory index, MEMORY.md; the copy loaded for this session lacks them. ' +
          'They are back in the file now:\n- [one](one.md) — first',
      },
    });
    expect(await run(['repair', '--hook'], {}, input)).toEqual({ code: 0, stdout: '{}\n', stderr: '' });
    const blocked = join(home, 'a-file');
    await writeFile(blocked, 'x');
    const failed = await run(['repair', '--hook', '--memory-dir', join(blocked, 'memory')], {}, input);
    expect(failed.code).toBe(0);
    expect(failed.stdout).toBe('{}\n');
    expect(failed.stderr).toMatch(/^handoffs: warning: memory repair failed: /);
  });
});
