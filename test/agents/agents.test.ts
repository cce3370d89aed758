import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyInit, planInit, type InitOptions } from '../../src/agents/init.js';
import type { AgentName } from '../../src/agents/types.js';
import { tempDir } from '../helpers.js';

/** What each agent's files hold after init, what uninstall takes back, and what is never touched. */
describe('handoffs init for each agent', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let home: string;
  let repo: string;
  const env = () => ({ PATH: '' });
  const run = async (agents: AgentName[] | 'all', extra: Partial<InitOptions> = {}) => {
    const plan = await planInit({ agents, command: 'handoffs', home, env: env(), ...extra });
    await applyInit(plan);
    return plan;
  };
  const json = async (path: string) => JSON.parse(await readFile(path, 'utf8'));
  const text = (path: string) => readFile(path, 'utf8');

  beforeEach(async () => {
    sandbox = await tempDir();
    home = join(sandbox.root, 'home');
    repo = join(sandbox.root, 'repo');
    await mkdir(home, { recursive: true });
    await mkdir(join(repo, '.git'), { recursive: true });
  });
  afterEach(() => sandbox.dispose());

  describe('claude', () => {
    it('registers SessionStart, SessionEnd and PreCompact, each command marked, and the CLAUDE.md block', async () => {
      await run(['claude']);
      const settings = await json(join(home, '.claude', 'settings.json'));
      expect(settings.hooks).toEqual({
        SessionStart: [
          { matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 handoffs start --hook --agent claude', timeout: 30 }] },
        ],
        SessionEnd: [{ hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 handoffs end --hook --agent claude', timeout: 30 }] }],
        PreCompact: [{ hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 handoffs precompact --hook --agent claude', timeout: 30 }] }],
      });
      expect(await text(join(home, '.claude', 'CLAUDE.md'))).toContain("handoffs write --slug \"short-topic\" <<'EOF'");
    });

    it('passes --dir and --store after the subcommand, quoted for the shell, and adds memory repair on request', async () => {
      await run(['claude'], { handoffsDir: '/data/my handoffs', store: 'https://store.example/h', repairMemory: true });
      const settings = await json(join(home, '.claude', 'settings.json'));
      expect(settings.hooks.SessionStart[0].hooks.map((hook: { command: string }) => hook.command)).toEqual([
        'HANDOFFS_INIT=1 handoffs memory repair --quiet',
        "HANDOFFS_INIT=1 handoffs start --hook --agent claude --dir '/data/my handoffs' --store https://store.example/h",
      ]);
      expect(await text(join(home, '.claude', 'CLAUDE.md'))).toContain(
        `handoffs write --dir '/data/my handoffs' --store https://store.example/h --slug "short-topic"`,
      );
      // Dropping the option later drops the repair hook, and only it.
      await run(['claude'], { handoffsDir: '/data/my handoffs', store: 'https://store.example/h' });
      expect((await json(join(home, '.claude', 'settings.json'))).hooks.SessionStart[0].hooks).toHaveLength(1);
    });

    it('never takes a foreign hook for its own, however much it looks like one, and keeps every other setting', async () => {
      const foreign = {
        model: 'opus',
        permissions: { allow: ['Bash(npm test)'] },
        hooks: {
          SessionStart: [
            { matcher: 'startup', hooks: [{ type: 'command', command: '~/bin/sync-handoffs-to-slack start --hook' }] },
            { hooks: [{ type: 'command', command: 'handoffs start --hook --agent claude --dir /elsewhere' }] },
          ],
          SessionEnd: [{ hooks: [{ type: 'command', command: 'node /opt/handoffs/cli.js end --hook', timeout: 5 }] }],
          PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'guard.sh' }] }],
        },
      };
      const original = `${JSON.stringify(foreign, null, 2)}\n`;
      await mkdir(join(home, '.claude'), { recursive: true });
      await writeFile(join(home, '.claude', 'settings.json'), original);
      await writeFile(join(home, '.claude', 'CLAUDE.md'), '# My rules\n\nBe brief.\n');

      await run(['claude']);
      await run(['claude'], { command: '/opt/bin/handoffs' });
      const settings = await json(join(home, '.claude', 'settings.json'));
      expect(settings.model).toBe('opus');
      expect(settings.permissions).toEqual(foreign.permissions);
      expect(settings.hooks.PreToolUse).toEqual(foreign.hooks.PreToolUse);
      expect(settings.hooks.SessionStart.slice(0, 2)).toEqual(foreign.hooks.SessionStart);
      expect(settings.hooks.SessionStart).toHaveLength(3);
      expect(settings.hooks.SessionStart[2].hooks[0].command).toBe('HANDOFFS_INIT=1 /opt/bin/handoffs start --hook --agent claude');
      expect(settings.hooks.SessionEnd[0]).toEqual(foreign.hooks.SessionEnd[0]);
      expect(settings.hooks.SessionEnd).toHaveLength(2);

      await run(['claude'], { command: '/opt/bin/handoffs', uninstall: true });
      expect(await text(join(home, '.claude', 'settings.json'))).toBe(original);
      expect(await text(join(home, '.claude', 'CLAUDE.md'))).toBe('# My rules\n\nBe brief.\n');
    });

    it('replaces the unmarked hooks an earlier init wrote (exactly those commands) instead of adding a second pair', async () => {
      await mkdir(join(home, '.claude'), { recursive: true });
      await writeFile(
        join(home, '.claude', 'settings.json'),
        JSON.stringify({
          hooks: {
            SessionStart: [{ matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: 'handoffs --dir /d start --hook', timeout: 30 }] }],
            SessionEnd: [{ hooks: [{ type: 'command', command: 'handoffs --dir /d end --hook', timeout: 30 }] }],
          },
        }),
      );
      await run(['claude'], { handoffsDir: '/d' });
      const settings = await json(join(home, '.claude', 'settings.json'));
      expect(settings.hooks.SessionStart).toEqual([
        { matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 handoffs start --hook --agent claude --dir /d', timeout: 30 }] },
      ]);
      expect(settings.hooks.SessionEnd).toHaveLength(1);
    });

    it('writes <repo>/.claude/settings.json and <repo>/CLAUDE.md with project scope, not the user files', async () => {
      const plan = await run(['claude'], { project: repo });
      expect(plan.changes.map((change) => change.path)).toEqual([join(repo, 'CLAUDE.md'), join(repo, '.claude', 'settings.json')]);
      expect((await json(join(repo, '.claude', 'settings.json'))).hooks.SessionEnd).toHaveLength(1);
      expect(await readdir(home)).toEqual([]);
    });

    it('keeps a 4-space file in 4 spaces and gives it back byte for byte after uninstall', async () => {
      const original = '{\n    "model": "opus",\n    "hooks": {\n        "Stop": []\n    }\n}\n';
      await mkdir(join(home, '.claude'), { recursive: true });
      await writeFile(join(home, '.claude', 'settings.json'), original);
      await run(['claude']);
      expect(await text(join(home, '.claude', 'settings.json'))).toMatch(/^\{\n {4}"model": "opus",\n {4}"hooks": \{\n {8}"Stop": \[\],\n {8}"SessionStart"/);
      await run(['claude'], { uninstall: true });
      expect(await text(join(home, '.claude', 'settings.json'))).toBe(original);
    });

    it('removes the files it created when uninstall leaves them empty', async () => {
      await run(['claude']);
      const plan = await run(['claude'], { uninstall: true });
      expect(plan.changes.map((change) => change.action)).toEqual(['delete', 'delete']);
      expect((await readdir(join(home, '.claude'))).filter((name) => !name.includes('.bak-'))).toEqual([]);
    });

    it('refuses a settings.json that is not JSON (comments included), changing nothing', async () => {
      await mkdir(join(home, '.claude'), { recursive: true });
      await writeFile(join(home, '.claude', 'settings.json'), '{ // mine\n "model": "opus" }\n');
      await expect(planInit({ agents: ['claude'], command: 'handoffs', home, env: env() })).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.stringContaining('is not valid JSON'),
      });
      await writeFile(join(home, '.claude', 'settings.json'), '{"hooks": []}');
      await expect(planInit({ agents: ['claude'], command: 'handoffs', home, env: env() })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    });
  });

  describe('codex', () => {
    it('writes hooks.json in Claude Code shape with SessionEnd at 3 s, and the AGENTS.md block', async () => {
      const plan = await run(['codex']);
      const hooks = await json(join(home, '.codex', 'hooks.json'));
      expect(hooks).toEqual({
        hooks: {
          SessionStart: [
            { matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 handoffs start --hook --agent codex', timeout: 30 }] },
          ],
          SessionEnd: [{ hooks: [{ type: 'command', command: 'HANDOFFS_INIT=1 handoffs end --hook --agent codex', timeout: 3 }] }],
        },
      });
      expect(await text(join(home, '.codex', 'AGENTS.md'))).toContain('<!-- handoffs:begin');
      expect(plan.agents[0]!.trust.join('\n')).toContain('Trust all and continue');
    });

    it('honours CODEX_HOME, and --project writes <repo>/.codex/hooks.json and <repo>/AGENTS.md', async () => {
      const codexHome = join(sandbox.root, 'codex-home');
      const plan = await planInit({ agents: ['codex'], command: 'handoffs', home, env: { CODEX_HOME: codexHome } });
      expect(plan.changes.map((change) => change.path)).toEqual([join(codexHome, 'AGENTS.md'), join(codexHome, 'hooks.json')]);
      const project = await run(['codex'], { project: repo });
      expect(project.changes.map((change) => change.path)).toEqual([join(repo, 'AGENTS.md'), join(repo, '.codex', 'hooks.json')]);
      expect(project.agents[0]!.trust[0]).toContain('trusted project');
    });

    it("on uninstall also takes back Codex's trust records for our hooks, and only those", async () => {
      await mkdir(join(home, '.codex'), { recursive: true });
      await writeFile(
        join(home, '.codex', 'hooks.json'),
        `${JSON.stringify({ hooks: { SessionStart: [{ hooks: [{ type: 'command', command: 'mine.sh' }] }] } }, null, 2)}\n`,
      );
      await run(['codex']);
      const hooksJson = join(home, '.codex', 'hooks.json');
      // What Codex's writer puts in config.toml when our hooks (and the user's) are trusted.
      const config = [
        '# my config',
        'model = "o3"',
        '',
        '[hooks.state]',
        '',
        `[hooks.state."${hooksJson}:session_start:0:0"]`,
        'trusted_hash = "sha256:aaa"',
        '',
        `[hooks.state."${hooksJson}:session_start:1:0"]`,
        'trusted_hash = "sha256:bbb"',
        '',
        `[hooks.state."${hooksJson}:session_end:0:0"]`,
        'trusted_hash = "sha256:ccc"',
        '',
      ].join('\n');
      await writeFile(join(home, '.codex', 'config.toml'), config);
      await run(['codex'], { uninstall: true });
      expect(await text(join(home, '.codex', 'config.toml'))).toBe(
        ['# my config', 'model = "o3"', '', '[hooks.state]', '', `[hooks.state."${hooksJson}:session_start:0:0"]`, 'trusted_hash = "sha256:aaa"', ''].join('\n'),
      );
      expect(await json(hooksJson)).toEqual({ hooks: { SessionStart: [{ hooks: [{ type: 'command', command: 'mine.sh' }] }] } });
    });

    it('removes the [hooks.state] table too when only our records were in it', async () => {
      await run(['codex']);
      const hooksJson = join(home, '.codex', 'hooks.json');
      await writeFile(
        join(home, '.codex', 'config.toml'),
        `model = "o3"\n\n[hooks.state]\n\n[hooks.state."${hooksJson}:session_start:0:0"]\ntrusted_hash = "sha256:aaa"\n\n[hooks.state."${hooksJson}:session_end:0:0"]\ntrusted_hash = "sha256:ccc"\n`,
      );
      await run(['codex'], { uninstall: true });
      expect(await text(join(home, '.codex', 'config.toml'))).toBe('model = "o3"\n');
    });
  });

  describe('gemini', () => {
    it('writes named hooks with millisecond timeouts and no matcher, and the GEMINI.md block', async () => {
      const plan = await run(['gemini']);
      const settings = await json(join(home, '.gemini', 'settings.json'));
      expect(settings).toEqual({
        hooks: {
          SessionStart: [{ hooks: [{ name: 'handoffs-start', type: 'command', command: 'HANDOFFS_INIT=1 handoffs start --hook --agent gemini', timeout: 30000 }] }],
          SessionEnd: [{ hooks: [{ name: 'handoffs-end', type: 'command', command: 'HANDOFFS_INIT=1 handoffs end --hook --agent gemini', timeout: 30000 }] }],
        },
      });
      expect(await text(join(home, '.gemini', 'GEMINI.md'))).toContain('<!-- handoffs:end -->');
      expect(plan.agents[0]!.trust.join('\n')).toContain('trusted folder');
    });

    it('says so, and leaves the switch alone, when the user turned hooks off', async () => {
      await mkdir(join(home, '.gemini'), { recursive: true });
      await writeFile(join(home, '.gemini', 'settings.json'), '{"hooksConfig": {"enabled": false}}');
      const plan = await run(['gemini']);
      expect((await json(join(home, '.gemini', 'settings.json'))).hooksConfig).toEqual({ enabled: false });
      expect(plan.agents[0]!.notes[0]).toContain('hooksConfig.enabled to false');
    });

    it('honours GEMINI_CLI_HOME and --project (<repo>/.gemini/settings.json, <repo>/GEMINI.md)', async () => {
      const other = join(sandbox.root, 'gemini-home');
      const plan = await planInit({ agents: ['gemini'], command: 'handoffs', home, env: { GEMINI_CLI_HOME: other } });
      expect(plan.changes.map((change) => change.path)).toEqual([join(other, '.gemini', 'GEMINI.md'), join(other, '.gemini', 'settings.json')]);
      const project = await run(['gemini'], { project: repo });
      expect(project.changes.map((change) => change.path)).toEqual([join(repo, 'GEMINI.md'), join(repo, '.gemini', 'settings.json')]);
    });
  });

  describe('copilot', () => {
    it("writes a hooks file of its own in Copilot's shape and the user instructions", async () => {
      await run(['copilot']);
      expect(await json(join(home, '.copilot', 'hooks', 'handoffs.json'))).toEqual({
        version: 1,
        hooks: {
          sessionStart: [{ type: 'command', bash: 'HANDOFFS_INIT=1 handoffs start --hook --agent copilot', timeoutSec: 30 }],
          sessionEnd: [{ type: 'command', bash: 'HANDOFFS_INIT=1 handoffs end --hook --agent copilot', timeoutSec: 30 }],
        },
      });
      expect(await text(join(home, '.copilot', 'copilot-instructions.md'))).toContain('<!-- handoffs:begin');
    });

    it('with --project writes .github/hooks/handoffs.json and .github/copilot-instructions.md and names the trust step', async () => {
      const plan = await run(['copilot'], { project: repo });
      expect(plan.changes.map((change) => change.path)).toEqual([
        join(repo, '.github', 'copilot-instructions.md'),
        join(repo, '.github', 'hooks', 'handoffs.json'),
      ]);
      expect(plan.agents[0]!.trust[0]).toContain('--trust-folder');
    });

    it("keeps a user's own handlers in the file and removes only ours on uninstall", async () => {
      await run(['copilot']);
      const file = join(home, '.copilot', 'hooks', 'handoffs.json');
      const value = await json(file);
      value.hooks.sessionStart.unshift({ type: 'command', bash: 'echo handoffs start --hook', timeoutSec: 5 });
      await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
      await run(['copilot']);
      expect((await json(file)).hooks.sessionStart).toHaveLength(2);
      await run(['copilot'], { uninstall: true });
      expect(await json(file)).toEqual({ version: 1, hooks: { sessionStart: [{ type: 'command', bash: 'echo handoffs start --hook', timeoutSec: 5 }] } });
    });
  });

  describe('opencode', () => {
    it('writes a loader plugin that re-exports the package entry, and the AGENTS.md block', async () => {
      await run(['opencode'], { env: { XDG_CONFIG_HOME: join(home, 'xdg') } });
      const loader = await text(join(home, 'xdg', 'opencode', 'plugins', 'handoffs.js'));
      expect(loader).toMatch(/^\/\/ Managed by `handoffs init`/);
      expect(loader).toContain('export { HandoffsPlugin } from "handoffs/opencode";');
      expect(await text(join(home, 'xdg', 'opencode', 'AGENTS.md'))).toContain('<!-- handoffs:begin');
    });

    it('imports what it is told (an installed package by file URL), and --project writes .opencode/plugins/', async () => {
      const plan = await run(['opencode'], { project: repo, pluginImport: 'file:///usr/lib/node_modules/handoffs/dist/opencode.js' });
      expect(plan.changes.map((change) => change.path)).toEqual([join(repo, 'AGENTS.md'), join(repo, '.opencode', 'plugins', 'handoffs.js')]);
      expect(await text(join(repo, '.opencode', 'plugins', 'handoffs.js'))).toContain('from "file:///usr/lib/node_modules/handoffs/dist/opencode.js"');
    });

    it('refuses to overwrite a handoffs.js plugin it did not write, and uninstall leaves that file alone', async () => {
      const loader = join(repo, '.opencode', 'plugins', 'handoffs.js');
      await mkdir(join(repo, '.opencode', 'plugins'), { recursive: true });
      await writeFile(loader, 'export const Mine = async () => ({});\n');
      await expect(planInit({ agents: ['opencode'], command: 'handoffs', project: repo, home })).rejects.toMatchObject({ code: 'NOT_OURS' });
      await run(['opencode'], { project: repo, uninstall: true });
      expect(await text(loader)).toBe('export const Mine = async () => ({});\n');
    });
  });

  describe('several agents at once', () => {
    it('Codex and OpenCode share a repository AGENTS.md: one block, one change, and uninstall of both gives the file back', async () => {
      await writeFile(join(repo, 'AGENTS.md'), '# Repo rules\n');
      const plan = await run(['codex', 'opencode'], { project: repo });
      expect(plan.changes.filter((change) => change.path === join(repo, 'AGENTS.md'))).toHaveLength(1);
      expect((await text(join(repo, 'AGENTS.md'))).match(/handoffs:begin/g)).toHaveLength(1);
      expect(plan.agents.map((agent) => agent.paths.includes(join(repo, 'AGENTS.md')))).toEqual([true, true]);
      await run(['codex', 'opencode'], { project: repo, uninstall: true });
      expect(await text(join(repo, 'AGENTS.md'))).toBe('# Repo rules\n');
    });

    it('"all" sets up the agents whose config folder exists or whose command is on PATH, and nothing else', async () => {
      const bin = join(sandbox.root, 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'gemini'), '#!/bin/sh\n');
      await chmod(join(bin, 'gemini'), 0o755);
      await mkdir(join(home, '.codex'));
      const plan = await planInit({ agents: 'all', command: 'handoffs', home, env: { PATH: bin } });
      expect(plan.agents.map((agent) => agent.agent)).toEqual(['codex', 'gemini']);
    });

    it('rejects one --config-dir for several agents', async () => {
      await expect(planInit({ agents: ['claude', 'codex'], command: 'handoffs', home, configDir: '/x' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    });

    it('init then uninstall of every agent at user level leaves foreign content intact and removes what it created', async () => {
      await mkdir(join(home, '.gemini'), { recursive: true });
      const gemini = '{\n  "security": {\n    "auth": {\n      "selectedType": "gemini-api-key"\n    }\n  }\n}\n';
      await writeFile(join(home, '.gemini', 'settings.json'), gemini);
      await writeFile(join(home, '.gemini', 'GEMINI.md'), 'Answer in French.');
      const all: AgentName[] = ['claude', 'codex', 'gemini', 'copilot', 'opencode'];
      await run(all);
      await run(all, { uninstall: true });
      expect(await text(join(home, '.gemini', 'settings.json'))).toBe(gemini);
      // A file without a final newline gets one back: the only byte init cannot know it added.
      expect(await text(join(home, '.gemini', 'GEMINI.md'))).toBe('Answer in French.\n');
      const left = async (dir: string): Promise<string[]> =>
        (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile() && !entry.name.includes('.bak-')).map((entry) => join(entry.parentPath, entry.name));
      expect((await left(home)).sort()).toEqual([join(home, '.gemini', 'GEMINI.md'), join(home, '.gemini', 'settings.json')]);
    });
  });
});
