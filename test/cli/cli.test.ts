import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeMemoryDir } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('handoffs command (built CLI, real processes)', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let home: string;
  let work: string;
  const dir = () => join(home, '.claude', 'handoffs');

  /** Runs the built CLI with a temp HOME and cwd, optional stdin, and no inherited HANDOFFS_* env. */
  function run(args: string[], options: { stdin?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1', ...options.env };
      const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd ?? work, env, stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(options.stdin ?? '');
    });
  }

  async function gitRepo(name: string, branch = 'main'): Promise<string> {
    const root = join(sandbox.root, name);
    await mkdir(join(root, '.git'), { recursive: true });
    await mkdir(join(root, 'src', 'deep'), { recursive: true });
    await writeFile(join(root, '.git', 'HEAD'), `ref: refs/heads/${branch}\n`);
    return root;
  }

  beforeEach(async () => {
    sandbox = await tempDir();
    home = join(sandbox.root, 'home');
    work = join(sandbox.root, 'work');
    await mkdir(home, { recursive: true });
    await mkdir(work, { recursive: true });
  });
  afterEach(() => sandbox.dispose());

  describe('basics', () => {
    it('prints the version and, with no command, the help with exit code 2', async () => {
      expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
      const bare = await run([]);
      expect(bare.code).toBe(2);
      expect(bare.stdout).toContain('Usage: handoffs <command>');
    });

    it.each(['write', 'start', 'end', 'list', 'show', 'cleanup', 'memory', 'init'])('%s --help prints usage and exits 0', async (name) => {
      const result = await run([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: handoffs ${name}`);
    });

    it('reports usage errors in one line on stderr with exit code 2 and no stack trace', async () => {
      for (const args of [['bogus'], ['write', '--nope'], ['write'], ['cleanup', '--older-than-days', 'soon'], ['show']]) {
        const result = await run(args, { stdin: 'body' });
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr).toMatch(/^handoffs: .+\nRun 'handoffs .*--help' for usage\.\n$/);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    });

    it('reports library errors with their code and exit code 1', async () => {
      const result = await run(['show', '../../etc/passwd']);
      expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'handoffs: not a handoff name: "../../etc/passwd" [INVALID_NAME]\n' });
      expect((await run(['write', '--slug', '!!!'], { stdin: 'x' })).stderr).toContain('[INVALID_SLUG]');
      expect((await run(['write', '--slug', 'x'], { stdin: '  \n' })).code).toBe(2);
    });

    it('honours --dir and HANDOFFS_DIR', async () => {
      const custom = join(sandbox.root, 'custom');
      await run(['write', '--slug', 'a', '--dir', custom], { stdin: 'a' });
      await run(['write', '--slug', 'b'], { stdin: 'b', env: { HANDOFFS_DIR: custom } });
      expect((await readdir(custom)).length).toBe(2);
    });
  });

  describe('write, list, show, start, cleanup', () => {
    it('writes from stdin and from --file, lists, shows, and consumes exactly once', async () => {
      const first = await run(['write', '--slug', 'Auth refactor'], { stdin: 'login done\n' });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/\/\.claude\/handoffs\/\d{4}-\d\d-\d\d_\d{6}_auth-refactor\.md\n$/);
      await writeFile(join(work, 'note.md'), 'from a file\n');
      await run(['write', '--slug', 'notes', '--file', 'note.md']);

      const list = (await run(['list'])).stdout.trim().split('\n');
      expect(list).toHaveLength(2);
      expect((await run(['show', list[0]!])).stdout).toBe('login done\n');

      const peek = await run(['start', '--dry-run']);
      expect(peek.stdout).toContain('login done');
      expect(peek.stderr).toContain('2 pending handoff(s) would be consumed');
      expect((await run(['list'])).stdout.trim().split('\n')).toHaveLength(2);

      const start = await run(['start']);
      expect(start.stdout).toMatch(/^## \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d · auth-refactor\n\nlogin done\n\n## .* · notes\n\nfrom a file\n$/);
      expect((await run(['start'])).stdout).toBe('');
      expect((await run(['list'])).stdout).toBe('');
      expect((await run(['list', '--all'])).stdout.trim().split('\n').every((name) => name.endsWith('_done.md'))).toBe(true);
    });

    it('start --json returns handoffs, merged text and cleanup', async () => {
      await run(['write', '--slug', 'j'], { stdin: 'json body' });
      const result = JSON.parse((await run(['start', '--json'])).stdout) as { handoffs: Array<{ body: string }>; merged: string; cleanup: object };
      expect(result.handoffs.map((handoff) => handoff.body)).toEqual(['json body']);
      expect(result.cleanup).toEqual({ removed: [], temporaryRemoved: [] });
    });

    it('writes project, branch, host and session id as front matter', async () => {
      const repo = await gitRepo('repo', 'feature/x');
      await run(['write', '--slug', 'meta', '--tag', 'a', '--tag', 'b'], { stdin: 'm', cwd: join(repo, 'src', 'deep'), env: { HANDOFFS_SESSION_ID: 's-1' } });
      const [name] = await readdir(dir());
      const text = await readFile(join(dir(), name!), 'utf8');
      expect(text).toMatch(/^---\n/);
      expect(text).toContain(`project: ${JSON.stringify(repo)}`);
      expect(text).toContain('branch: "feature/x"');
      expect(text).toContain('sessionId: "s-1"');
      expect(text).toContain('tags: ["a","b"]');
      expect(JSON.parse((await run(['show', name!, '--json'])).stdout).meta.project).toBe(repo);
    });

    it('cleanup removes nothing fresh and reports counts', async () => {
      await run(['write', '--slug', 'c'], { stdin: 'c' });
      await run(['start']);
      expect((await run(['cleanup'])).stdout).toBe('removed 0 consumed, 0 temporary\n');
      expect(JSON.parse((await run(['cleanup', '--older-than-days', '0', '--json'])).stdout).removed).toHaveLength(1);
    });

    it('migrates the legacy ~/.claude/context-handoff.md once', async () => {
      await mkdir(join(home, '.claude'), { recursive: true });
      await writeFile(join(home, '.claude', 'context-handoff.md'), 'legacy context\n');
      expect((await run(['start'])).stdout).toContain('legacy context');
      expect((await run(['start'])).stdout).toBe('');
    });
  });

  describe('per-project scoping', () => {
    it('a session in repo B does not take repo A handoffs; unscoped ones go to whoever starts first', async () => {
      const a = await gitRepo('repo-a');
      const b = await gitRepo('repo-b');
      await run(['write', '--slug', 'a-work'], { stdin: 'context of A\n', cwd: a });
      await run(['write', '--slug', 'b-work'], { stdin: 'context of B\n', cwd: join(b, 'src') });
      await mkdir(dir(), { recursive: true });
      await writeFile(join(dir(), '2026-01-01_000000_by-hand.md'), 'written by hand per the seed\n');

      const inB = await run(['start'], { cwd: join(b, 'src', 'deep') });
      expect(inB.stdout).toContain('context of B');
      expect(inB.stdout).toContain('written by hand');
      expect(inB.stdout).not.toContain('context of A');
      expect((await run(['list'])).stdout).toMatch(/_a-work\.md\n$/);

      const inA = await run(['start'], { cwd: a });
      expect(inA.stdout).toContain('context of A');
      expect(inA.stdout).not.toContain('context of B');
    });

    it('--all-projects takes everything', async () => {
      const a = await gitRepo('repo-a');
      await run(['write', '--slug', 'a'], { stdin: 'A', cwd: a });
      expect((await run(['start', '--all-projects'])).stdout).toContain('A');
    });
  });

  describe('context budget', () => {
    it('keeps the newest handoff whole and shortens older ones to fit --max-lines', async () => {
      for (let index = 0; index < 6; index++) {
        const body = Array.from({ length: 60 }, (_, line) => `handoff ${index} line ${line}`).join('\n');
        await run(['write', '--slug', `h${index}`], { stdin: body });
      }
      const { stdout } = await run(['start', '--max-lines', '100']);
      expect(stdout.trimEnd().split('\n').length).toBeLessThanOrEqual(100);
      expect(stdout).toContain('Context budget: of 6 handoffs');
      expect(stdout).toContain('handoff 5 line 59');
      expect(stdout).not.toContain('handoff 0 line 59');
      // Nothing is lost: every consumed file is on disk in full.
      const done = (await readdir(dir())).filter((name) => name.endsWith('_done.md'));
      expect(done).toHaveLength(6);
      const texts = await Promise.all(done.map((name) => readFile(join(dir(), name), 'utf8')));
      for (let index = 0; index < 6; index++) {
        const body = Array.from({ length: 60 }, (_, line) => `handoff ${index} line ${line}`).join('\n');
        expect(texts.some((text) => text.endsWith(body))).toBe(true);
      }
    });

    it('uses 200 lines by default and --max-lines 0 for no budget', async () => {
      for (let index = 0; index < 3; index++) await run(['write', '--slug', `h${index}`], { stdin: 'x\n'.repeat(150) });
      expect((await run(['start', '--dry-run'])).stdout.split('\n').length).toBeLessThanOrEqual(201);
      expect((await run(['start', '--max-lines', '0'])).stdout.split('\n').length).toBeGreaterThan(450);
    });
  });

  describe('Claude Code hook mode', () => {
    const sessionStart = (cwd: string, id = '7f3a9c1e-0b1d-4c2e-9a55-2d6f1e0b8c41') =>
      JSON.stringify({
        session_id: id,
        transcript_path: `/home/user/.claude/projects/p/${id}.jsonl`,
        cwd,
        permission_mode: 'default',
        hook_event_name: 'SessionStart',
        source: 'startup',
        model: 'claude-sonnet-4-5',
      });
    const sessionEnd = (cwd: string, id: string) =>
      JSON.stringify({
        session_id: id,
        transcript_path: `/home/user/.claude/projects/p/${id}.jsonl`,
        cwd,
        permission_mode: 'default',
        hook_event_name: 'SessionEnd',
        reason: 'prompt_input_exit',
      });

    it('start --hook injects pending handoffs as SessionStart additionalContext and exports the session id', async () => {
      await run(['write', '--slug', 'earlier'], { stdin: 'what the earlier session did\n' });
      const envFile = join(sandbox.root, 'claude-env');
      const result = await run(['start', '--hook'], { stdin: sessionStart(work), env: { CLAUDE_ENV_FILE: envFile } });
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
      expect(output.hookSpecificOutput.hookEventName).toBe('SessionStart');
      expect(output.hookSpecificOutput.additionalContext).toContain('what the earlier session did');
      expect(await readFile(envFile, 'utf8')).toBe('export HANDOFFS_SESSION_ID=7f3a9c1e-0b1d-4c2e-9a55-2d6f1e0b8c41\n');
      expect(JSON.parse((await run(['start', '--hook'], { stdin: sessionStart(work) })).stdout)).toEqual({});
    });

    it('start --hook never fails the session: errors become a warning in the context, exit 0', async () => {
      const blocker = join(sandbox.root, 'not-a-dir');
      await writeFile(blocker, 'x');
      await mkdir(join(home, '.claude'), { recursive: true });
      await writeFile(join(home, '.claude', 'context-handoff.md'), 'legacy');
      const result = await run(['start', '--hook', '--dir', join(blocker, 'handoffs')], { stdin: 'not json at all' });
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout) as { hookSpecificOutput: { additionalContext: string } };
      expect(output.hookSpecificOutput.additionalContext).toMatch(/^handoffs: could not load handoffs/);
    });

    it('end --hook writes a minimal handoff when the session wrote none, and nothing when it did', async () => {
      const silent = await run(['end', '--hook'], { stdin: sessionEnd(work, 'silent-session') });
      expect(silent.code).toBe(0);
      const [name] = await readdir(dir());
      const text = await readFile(join(dir(), name!), 'utf8');
      expect(name).toMatch(/_session-end\.md$/);
      expect(text).toContain('Claude Code session silent-session ended (prompt_input_exit) without writing a handoff; its transcript could not be read fully (MISSING).');
      expect(text).toContain('Transcript: /home/user/.claude/projects/p/silent-session.jsonl');
      expect(text).toContain('sessionId: "silent-session"');
      expect(text).toContain('agent: "claude"');

      await run(['write', '--slug', 'real'], { stdin: 'real handoff', env: { HANDOFFS_SESSION_ID: 'busy-session' } });
      await run(['start']);
      expect((await run(['end', '--hook'], { stdin: sessionEnd(work, 'busy-session') })).code).toBe(0);
      expect((await readdir(dir())).filter((file) => !file.endsWith('_done.md'))).toEqual([]);
    });

    const fixture = (agent: string, file: string) => join(import.meta.dirname, '..', 'fixtures', 'transcripts', agent, file);

    it('end --hook leaves a trace built from the transcript: request, files changed, commands, todos, last message', async () => {
      const input = JSON.stringify({ session_id: 'worked', transcript_path: fixture('claude', 'tool-session.jsonl'), cwd: work, hook_event_name: 'SessionEnd', reason: 'other' });
      const result = await run(['end', '--hook'], { stdin: input });
      expect(result.code).toBe(0);
      const [name] = await readdir(dir());
      const { body } = JSON.parse((await run(['show', name!, '--json'])).stdout) as { body: string };
      expect(body).toContain('Claude Code session worked wrote no handoff');
      expect(body).toContain('Create hello.txt, finalize notes.txt');
      expect(body).toMatch(/hello\.txt \(created\)/);
      expect(body).toMatch(/notes\.txt \(edited\)/);
      expect(body).toContain('ls && wc -l hello.txt');
      expect(body).toContain('[ ] Release the change');
    });

    it("end --hook for Copilot CLI finds the session's event log from its id (no transcript path in its input) under $COPILOT_HOME", async () => {
      const copilotHome = join(home, 'copilot-home');
      const events = join(copilotHome, 'session-state', 'cop-1', 'events.jsonl');
      await mkdir(dirname(events), { recursive: true });
      await copyFile(fixture('copilot', 'edits.jsonl'), events);
      const input = JSON.stringify({ sessionId: 'cop-1', cwd: work, timestamp: 1, reason: 'complete' });
      const result = await run(['end', '--hook'], { stdin: input, env: { COPILOT_CLI: '1', COPILOT_HOME: copilotHome } });
      expect(result.code).toBe(0);
      const [name] = await readdir(dir());
      const { body, meta } = JSON.parse((await run(['show', name!, '--json'])).stdout) as { body: string; meta: Record<string, unknown> };
      expect(meta).toMatchObject({ agent: 'copilot', sessionId: 'cop-1' });
      expect(body).toContain('Copilot CLI session cop-1 wrote no handoff; this is what its transcript shows.');
      expect(body).toContain('Create the app and finalize the README.');
    });

    it('a session that never reached the model gives back what its start claimed, and leaves nothing', async () => {
      await run(['write', '--slug', 'waiting'], { stdin: 'context for a working session' });
      const start = await run(['start', '--hook'], { stdin: JSON.stringify({ session_id: 'no-key', cwd: work, hook_event_name: 'SessionStart', source: 'startup' }) });
      expect(start.stdout).toContain('context for a working session');
      expect((await run(['list'])).stdout).toBe('');
      const end = await run(['end', '--hook'], {
        stdin: JSON.stringify({ session_id: 'no-key', transcript_path: fixture('claude', 'not-logged-in.jsonl'), cwd: work, hook_event_name: 'SessionEnd', reason: 'other' }),
      });
      expect(end.stderr).toContain('the session did no work; gave back 1 handoff(s)');
      const next = await run(['start', '--hook'], { stdin: JSON.stringify({ session_id: 'next', cwd: work, hook_event_name: 'SessionStart', source: 'startup' }) });
      expect(next.stdout).toContain('context for a working session');
      expect((await readdir(dir())).filter((file) => file.includes('session-end'))).toEqual([]);
    });

    it('start --hook speaks each agent\'s output: Copilot\'s top-level additionalContext, hookSpecificOutput for the others', async () => {
      await run(['write', '--slug', 'for-copilot'], { stdin: 'copilot gets this' });
      const copilot = await run(['start', '--hook'], { stdin: JSON.stringify({ sessionId: 'c1', cwd: work, source: 'new', timestamp: 1 }), env: { COPILOT_CLI: '1' } });
      expect(JSON.parse(copilot.stdout)).toEqual({ additionalContext: expect.stringContaining('copilot gets this') });
      await run(['write', '--slug', 'for-gemini'], { stdin: 'gemini gets this' });
      const gemini = await run(['start', '--hook', '--agent', 'gemini'], { stdin: JSON.stringify({ session_id: 'g1', cwd: work, source: 'startup' }) });
      expect(JSON.parse(gemini.stdout)).toEqual({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: expect.stringContaining('gemini gets this') } });
      expect((await run(['start', '--hook', '--agent', 'nope'], { stdin: '{}' })).code).toBe(2);
    });

    it('a resumed session is not handed the handoff it wrote itself', async () => {
      await run(['write', '--slug', 'mine'], { stdin: 'written by s1', env: { HANDOFFS_SESSION_ID: 's1' } });
      const resumed = await run(['start', '--hook'], { stdin: JSON.stringify({ session_id: 's1', cwd: work, source: 'resume' }) });
      expect(resumed.stdout.trim()).toBe('{}');
      const other = await run(['start', '--hook'], { stdin: JSON.stringify({ session_id: 's2', cwd: work, source: 'startup' }) });
      expect(other.stdout).toContain('written by s1');
    });

    it('precompact --hook writes what the session did so far', async () => {
      const input = JSON.stringify({ session_id: 'long', transcript_path: fixture('claude', 'tool-session.jsonl'), cwd: work, hook_event_name: 'PreCompact', trigger: 'manual' });
      expect((await run(['precompact', '--hook'], { stdin: input })).code).toBe(0);
      const [name] = await readdir(dir());
      expect(name).toMatch(/_before-compact\.md$/);
    });

    it('watch prints each pending handoff as it appears, until interrupted', async () => {
      await run(['write', '--slug', 'early'], { stdin: 'x' });
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [cli, 'watch', '--dir', dir()], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let arrived = () => {};
      child.stdout.on('data', (chunk: Buffer) => {
        out += String(chunk);
        arrived();
      });
      const saw = (pattern: RegExp) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`watch printed only: ${out}`)), 10_000);
          const check = () => {
            if (!pattern.test(out)) return;
            clearTimeout(timer);
            resolve();
          };
          arrived = check;
          check();
        });
      await saw(/_early\.md\n/);
      await run(['write', '--slug', 'late'], { stdin: 'y' });
      await saw(/_late\.md\n/);
      child.kill('SIGINT');
      expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
      expect(out.split('\n').filter(Boolean), out).toHaveLength(2);
    });

    it('restore puts the last start back', async () => {
      await run(['write', '--slug', 'again'], { stdin: 'read me twice' });
      await run(['start']);
      const restored = await run(['restore', '--last']);
      expect(restored.stdout).toMatch(/_again~[a-z0-9]+-[a-z0-9]+_done\.md -> .*_again~[a-z0-9]+\.md\n$/);
      expect((await run(['start'])).stdout).toContain('read me twice');
      expect((await run(['restore'])).code).toBe(2);
    });

    it('end --hook exits 0 even when it cannot write', async () => {
      const blocker = join(sandbox.root, 'file');
      await writeFile(blocker, 'x');
      const result = await run(['end', '--hook', '--dir', join(blocker, 'sub')], { stdin: sessionEnd(work, 'x') });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/^handoffs: warning: /);
    });
  });

  describe('memory', () => {
    it('split (dry run, then --apply), add, search, show, lint', async () => {
      // By default the memory commands work on the auto memory Claude Code loads for this cwd.
      const { dir: memoryDir } = await claudeMemoryDir(work, { home, env: {} });
      await mkdir(memoryDir, { recursive: true });
      const flat = '# Memory\n\n## Identity\n\nI run releases. UTC.\n\n## Infrastructure\n\nThree hosts behind a balancer.\n';
      await writeFile(join(memoryDir, 'MEMORY.md'), flat);

      const plan = await run(['memory', 'split', join(memoryDir, 'MEMORY.md')]);
      expect(plan.stdout).toContain('would write identity.md');
      expect(await readFile(join(memoryDir, 'MEMORY.md'), 'utf8')).toBe(flat);

      const applied = await run(['memory', 'split', join(memoryDir, 'MEMORY.md'), '--apply']);
      expect(applied.stdout).toContain('kept the flat file as MEMORY.md.before-split');

      await writeFile(join(work, 'deploy.md'), '# Deploy\n\nRun the pipeline.\n');
      const added = await run(['memory', 'add', '--topic', 'deploy', '--section', 'Topics', '--summary', 'How to deploy', '--file', 'deploy.md']);
      expect(added.stdout).toBe(`deploy.md (line 10 of ${join(memoryDir, 'MEMORY.md')})\n`);
      const searched = await run(['memory', 'search', 'deploy']);
      if (!/^deploy/.test(searched.stdout)) console.log('DEBUG', JSON.stringify(searched), await readFile(join(memoryDir, 'MEMORY.md'), 'utf8'), await (await import('node:fs/promises')).readdir(memoryDir));
      expect(searched.stdout).toMatch(/^deploy\.md\tdeploy — How to deploy\n/);
      expect((await run(['memory', 'show', 'deploy'])).stdout).toBe(
        '---\nname: deploy\ndescription: How to deploy\ntype: project\n---\n\n# Deploy\n\nRun the pipeline.\n',
      );
      expect(await run(['memory', 'lint'])).toMatchObject({ code: 0, stdout: '' });

      await writeFile(join(memoryDir, 'orphan.md'), 'x');
      const lint = await run(['memory', 'lint', '--json']);
      expect(lint.code).toBe(1);
      expect(JSON.parse(lint.stdout)).toMatchObject([
        { code: 'ORPHAN_TOPIC', file: 'orphan.md' },
        { code: 'MISSING_FRONT_MATTER', file: 'orphan.md' },
      ]);
      expect((await run(['memory', 'show', '../x'])).stderr).toContain('[INVALID_TOPIC]');
      expect((await run(['memory', 'nope'])).code).toBe(2);
    });
  });

  describe('init', () => {
    const claude = () => join(home, '.claude');

    it('sets up CLAUDE.md and settings.json; a second run changes nothing', async () => {
      const first = await run(['init', '--command', 'handoffs']);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe(`create ${join(claude(), 'CLAUDE.md')}\ncreate ${join(claude(), 'settings.json')}\n`);
      const settings = JSON.parse(await readFile(join(claude(), 'settings.json'), 'utf8'));
      expect(settings.hooks.SessionStart).toEqual([
        { matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 handoffs start --hook --agent claude', timeout: 30 }] },
      ]);
      expect(settings.hooks.SessionEnd).toEqual([{ hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 handoffs end --hook --agent claude', timeout: 30 }] }]);
      const claudeMd = await readFile(join(claude(), 'CLAUDE.md'), 'utf8');
      expect(claudeMd).toContain('<!-- handoffs:begin');
      expect(claudeMd).toContain("handoffs write --slug \"short-topic\" <<'EOF'");

      const files = await readdir(claude());
      const second = await run(['init', '--command', 'handoffs']);
      expect(second.stdout).toBe(`unchanged ${join(claude(), 'CLAUDE.md')}\nunchanged ${join(claude(), 'settings.json')}\n`);
      expect(await readdir(claude())).toEqual(files);
    });

    it('merges with existing settings and CLAUDE.md, keeps other hooks, backs up, never duplicates', async () => {
      await mkdir(claude(), { recursive: true });
      const existing = {
        model: 'opus',
        hooks: {
          SessionStart: [{ matcher: 'startup', hooks: [{ type: 'command', command: 'echo hello' }] }],
          PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'guard.sh' }] }],
        },
      };
      await writeFile(join(claude(), 'settings.json'), JSON.stringify(existing));
      await writeFile(join(claude(), 'CLAUDE.md'), '# My rules\n\nBe brief.\n');

      const dry = await run(['init', '--dry-run', '--command', 'handoffs']);
      expect(dry.stdout).toMatch(new RegExp(`^would update ${join(claude(), 'CLAUDE.md')}\n(    .*\n)+would update ${join(claude(), 'settings.json')}\n(    .*\n)+$`));
      expect(JSON.parse(await readFile(join(claude(), 'settings.json'), 'utf8'))).toEqual(existing);

      expect((await run(['init', '--command', 'handoffs'])).stdout).toMatch(/backup .*CLAUDE\.md\.bak-.*\nbackup .*settings\.json\.bak-/);
      await run(['init', '--command', '/opt/bin/handoffs', '--dir', '/data/handoffs']);
      const settings = JSON.parse(await readFile(join(claude(), 'settings.json'), 'utf8'));
      expect(settings.model).toBe('opus');
      expect(settings.hooks.PreToolUse).toEqual(existing.hooks.PreToolUse);
      expect(settings.hooks.SessionStart).toEqual([
        existing.hooks.SessionStart[0],
        { matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 /opt/bin/handoffs start --hook --agent claude --dir /data/handoffs', timeout: 30 }] },
      ]);
      expect(settings.hooks.SessionEnd).toHaveLength(1);
      const claudeMd = await readFile(join(claude(), 'CLAUDE.md'), 'utf8');
      expect(claudeMd.startsWith('# My rules\n\nBe brief.\n\n<!-- handoffs:begin')).toBe(true);
      expect(claudeMd.match(/handoffs:begin/g)).toHaveLength(1);
      expect(claudeMd).toContain('/opt/bin/handoffs write --dir /data/handoffs --slug');
      const backups = (await readdir(claude())).filter((name) => name.includes('.bak-'));
      expect(backups.length).toBeGreaterThanOrEqual(2);
    });

    it('refuses a settings.json that is not JSON, changing nothing', async () => {
      await mkdir(claude(), { recursive: true });
      await writeFile(join(claude(), 'settings.json'), '{ "hooks": ');
      const result = await run(['init', '--command', 'handoffs']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is not valid JSON');
      expect(await readdir(claude())).toEqual(['settings.json']);
    });
  });
});
