import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers.js';

/** `handoffs init` through the CLI's own entry, in process. */
describe('handoffs init (command)', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let home: string;
  let repo: string;

  async function run(args: string[], cwd = repo): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const sink = (append: (text: string) => void) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          append(chunk.toString());
          done();
        },
      });
    const stdin = new PassThrough();
    stdin.end();
    const code = await main(['init', ...args], {
      stdout: sink((text) => (stdout += text)),
      stderr: sink((text) => (stderr += text)),
      stdin,
      env: { HOME: home, PATH: '' },
      cwd,
    });
    return { code, stdout, stderr };
  }

  beforeEach(async () => {
    sandbox = await tempDir();
    home = join(sandbox.root, 'home');
    repo = join(sandbox.root, 'repo');
    await mkdir(join(home, '.claude'), { recursive: true });
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(join(repo, 'src'), { recursive: true });
  });
  afterEach(() => sandbox.dispose());

  it('--dry-run prints a diff of each file and writes nothing', async () => {
    await writeFile(join(home, '.claude', 'settings.json'), '{\n  "model": "opus"\n}\n');
    const before = await stat(join(home, '.claude', 'settings.json'));
    const result = await run(['--dry-run', '--command', 'handoffs', '--agent', 'claude', '--agent', 'codex']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`would create ${join(home, '.claude', 'CLAUDE.md')}\n`);
    expect(result.stdout).toContain(`would update ${join(home, '.claude', 'settings.json')}\n`);
    expect(result.stdout).toContain(`    --- ${join(home, '.claude', 'settings.json')}\n`);
    expect(result.stdout).toContain('-  "model": "opus"\n    +  "model": "opus",\n');
    expect(result.stdout).toMatch(/^    \+ +"command": "HANDOFFS_INIT=1 handoffs start --hook --agent codex",$/m);
    expect(result.stdout).toContain("trust (codex): Codex skips a new or changed hook until it is trusted: start `codex` and choose 'Trust all and continue'");
    // Every line is a file line, a diff line indented four spaces, or a trust step.
    for (const line of result.stdout.split('\n').slice(0, -1)) expect(line).toMatch(/^(would (create|update) \/|unchanged \/| {4}[-+ @]|trust \(codex\): )/);
    expect(await readdir(home)).toEqual(['.claude']);
    expect(await readdir(join(home, '.claude'))).toEqual(['settings.json']);
    expect((await stat(join(home, '.claude', 'settings.json'))).mtimeMs).toBe(before.mtimeMs);
  });

  it('prints one line per file, backups, and a second run prints only unchanged', async () => {
    await writeFile(join(home, '.claude', 'CLAUDE.md'), '# Mine\n');
    const first = await run(['--command', 'handoffs']);
    expect(first.stdout).toMatch(
      new RegExp(`^update ${join(home, '.claude', 'CLAUDE.md')}\ncreate ${join(home, '.claude', 'settings.json')}\nbackup ${join(home, '.claude', 'CLAUDE.md')}\\.bak-\\d{4}-\\d\\d-\\d\\d_\\d{6}\n$`),
    );
    const second = await run(['--command', 'handoffs']);
    expect(second.stdout).toBe(`unchanged ${join(home, '.claude', 'CLAUDE.md')}\nunchanged ${join(home, '.claude', 'settings.json')}\n`);
  });

  it('--project writes the git root of the current folder, from a subfolder', async () => {
    const result = await run(['--project', '--command', 'handoffs', '--agent', 'gemini'], join(repo, 'src'));
    expect(result.code).toBe(0);
    expect(JSON.parse(await readFile(join(repo, '.gemini', 'settings.json'), 'utf8')).hooks.SessionStart).toHaveLength(1);
    expect(result.stdout).toContain('trust (gemini): Gemini CLI runs hooks only in a trusted folder');
    expect(await readdir(join(home, '.claude'))).toEqual([]);
  });

  it('--project outside a repository, an unknown agent and --claude-dir with another agent are usage errors', async () => {
    expect((await run(['--project'], sandbox.root)).code).toBe(2);
    const unknown = await run(['--agent', 'cursor']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown agent 'cursor'");
    expect((await run(['--agent', 'codex', '--claude-dir', '/x'])).code).toBe(2);
  });

  it('reports a refused file with its code and exit 1', async () => {
    await writeFile(join(home, '.claude', 'settings.json'), '{ "hooks": ');
    const result = await run(['--command', 'handoffs']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is not valid JSON.*\[INVALID_CONFIG\]/);
    expect(await readdir(join(home, '.claude'))).toEqual(['settings.json']);
  });

  it('--uninstall takes back what init added', async () => {
    await writeFile(join(home, '.claude', 'CLAUDE.md'), '# Mine\n');
    await run(['--command', 'handoffs', '--claude-dir', join(home, '.claude')]);
    const result = await run(['--uninstall', '--command', 'handoffs']);
    expect(result.stdout).toContain(`delete ${join(home, '.claude', 'settings.json')}\n`);
    expect(await readFile(join(home, '.claude', 'CLAUDE.md'), 'utf8')).toBe('# Mine\n');
  });
});
