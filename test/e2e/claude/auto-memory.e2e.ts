import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversation, occurrences, startAnthropicServer, textTurn, type AnthropicServer, type MessagesRequest } from '../lib/anthropic.js';
import { installClaude, projectFolderName } from '../lib/claude.js';
import { claudeSession, type ClaudeSession } from '../lib/claude-session.js';
import { handoffs } from '../lib/handoffs-cli.js';
import { tempHome, type TempHome } from '../lib/home.js';

// Facts about Claude Code 2.1.197's auto-memory that `handoffs memory` must match: which folder
// under ~/.claude/projects/ a session uses, and what of memory/ reaches the model. Everything is
// read from what the real client did: the folders it created and the request it sent.

const claude = await installClaude();
if (!claude.ok) console.warn(`skipping Claude Code e2e: ${claude.reason}`);

/** The closing sentence of every MEMORY.md truncation warning. */
const ADVICE = 'Only part of it was loaded. Keep index entries to one line under ~200 chars; move detail into topic files.';

describe.skipIf(!claude.ok)('Claude Code 2.1.197 auto-memory', () => {
  let home: TempHome;
  let server: AnthropicServer;
  let projects: string;
  let base: string;

  beforeAll(async () => {
    home = await tempHome();
    server = await startAnthropicServer(conversation([textTurn('Noted.')]));
    projects = join(home.home, '.claude', 'projects');
    base = join(await realpath(home.home), 'w');
    await mkdir(base);
  });

  afterAll(async () => {
    await server?.close();
    await home?.dispose();
  });

  async function session(cwd: string, prompt = 'hello'): Promise<ClaudeSession & { request: MessagesRequest; memoryDir: string }> {
    const result = await claudeSession({ bin: claude.ok ? claude.bin : '', env: home.env, cwd, prompt, server });
    expect(result.run.code).toBe(0);
    const request = result.requests[0]!;
    const system = (request.system as Array<{ text: string }>).map((block) => block.text).join('');
    // The system prompt names the memory folder: "You have a persistent file-based memory at `DIR`."
    const memoryDir = /persistent file-based memory at `([^`]*)`/.exec(system)?.[1];
    expect(memoryDir).toBeDefined();
    return { ...result, request, memoryDir: memoryDir! };
  }

  /** The first user message's first text: the system-reminder that carries CLAUDE.md and MEMORY.md. */
  const reminder = (request: MessagesRequest): string => {
    const content = request.messages[0]!.content as Array<{ text?: string }>;
    return content[0]!.text ?? '';
  };

  describe('the folder under ~/.claude/projects/', () => {
    const names: Array<[string, string]> = [
      ['dots', 'dots.in.name'],
      ['a space', 'with space'],
      ['underscores', 'under_score'],
      ['capitals', 'CamelCase'],
      ['é (composed)', 'caf\u00e9'],
      ['é (decomposed)', 'cafe\u0301'],
      ['CJK', '日本'],
      ['an emoji', 'emoji😀'],
    ];

    it.each(names)('is named after the working directory for a path with %s, and holds memory/ too', async (_, relative) => {
      const cwd = join(base, relative);
      await mkdir(cwd, { recursive: true });
      const { transcriptPath, memoryDir } = await session(cwd);
      const folder = projectFolderName(cwd);
      expect(transcriptPath).toBe(join(projects, folder, `${transcriptPath!.split('/').pop()}`));
      expect(memoryDir).toBe(`${join(projects, folder, 'memory')}/`);
      // The client creates the (empty) memory folder itself at session start.
      expect(existsSync(join(projects, folder, 'memory'))).toBe(true);
    });

    it('cuts a name longer than 200 characters to 200, then adds a dash and the path hash in base 36', async () => {
      const cwd = join(base, 'long', 'a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60), 'd'.repeat(40));
      await mkdir(cwd, { recursive: true });
      expect(cwd.length).toBeGreaterThan(200);
      const before = new Set(await readdir(projects));
      const { memoryDir } = await session(cwd);
      const created = (await readdir(projects)).filter((name) => !before.has(name));
      expect(created).toEqual([projectFolderName(cwd)]);
      expect(created[0]).toMatch(/^.{200}-[0-9a-z]+$/);
      expect(created[0]!.slice(0, 200)).toBe(cwd.replace(/[^A-Za-z0-9]/g, '-').slice(0, 200));
      expect(memoryDir).toBe(`${join(projects, created[0]!, 'memory')}/`);
    });

    it('resolves a symlinked working directory first', async () => {
      const target = join(base, 'real-target');
      await mkdir(target);
      await symlink(target, join(base, 'the-link'));
      const { transcriptPath, memoryDir } = await session(join(base, 'the-link'));
      expect(transcriptPath!.startsWith(join(projects, projectFolderName(target), '/'))).toBe(true);
      expect(memoryDir).toBe(`${join(projects, projectFolderName(target), 'memory')}/`);
    });

    it('keeps transcripts by working directory but memory by git root, and a worktree shares its main checkout memory', async () => {
      const repo = join(base, 'repo.root');
      await mkdir(join(repo, 'sub', 'dir'), { recursive: true });
      const git = (...args: string[]) =>
        execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', ...args], { cwd: repo, env: home.env, stdio: 'ignore' });
      git('init', '-q');
      git('commit', '-q', '--allow-empty', '-m', 'start');
      const worktree = join(base, 'repo-worktree');
      git('worktree', 'add', '-q', worktree);
      const rootMemory = `${join(projects, projectFolderName(repo), 'memory')}/`;

      const inSubfolder = await session(join(repo, 'sub', 'dir'));
      expect(inSubfolder.transcriptPath!.startsWith(join(projects, projectFolderName(join(repo, 'sub', 'dir')), '/'))).toBe(true);
      expect(inSubfolder.memoryDir).toBe(rootMemory);

      const inWorktree = await session(worktree);
      expect(inWorktree.transcriptPath!.startsWith(join(projects, projectFolderName(worktree), '/'))).toBe(true);
      expect(inWorktree.memoryDir).toBe(rootMemory);
    });
  });

  describe('what reaches the model', () => {
    async function withMemory(name: string, index: string, topics: Record<string, string> = {}, prompt?: string) {
      const cwd = join(base, name);
      const memory = join(projects, projectFolderName(cwd), 'memory');
      await mkdir(cwd, { recursive: true });
      await mkdir(memory, { recursive: true });
      await writeFile(join(memory, 'MEMORY.md'), index);
      for (const [file, text] of Object.entries(topics)) await writeFile(join(memory, file), text);
      const result = await session(cwd, prompt);
      return { ...result, memory, text: reminder(result.request) };
    }

    it('loads MEMORY.md into the first message under a fixed wrapper, and no topic file', async () => {
      const index = '# Memory\n\n- [Deploy](deploy.md) — index-line-marker how we ship\n';
      const topic = '---\nname: deploy\ndescription: topic-description-marker shipping the service\nmetadata:\n  type: project\n---\n\ntopic-body-marker run make ship\n';
      const posts = () => server.requests.filter((item) => item.method === 'POST');
      const before = posts().length;
      const { text, memory } = await withMemory('loaded', index, { 'deploy.md': topic }, 'How do we deploy the service?');
      expect(text).toContain(
        `# claudeMd\nCodebase and user instructions are shown below. Be sure to adhere to these instructions. IMPORTANT: These instructions OVERRIDE any default behavior and you MUST follow them exactly as written.\n\n` +
          `Contents of ${memory}/MEMORY.md (user's auto-memory, persists across conversations):\n\n# Memory\n\n- [Deploy](deploy.md) — index-line-marker how we ship\n`,
      );
      // Topic files are read on demand only: neither their body nor their front matter is sent,
      // even when the prompt is about them, and no side request goes out to pick them.
      const sent = posts().slice(before);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).not.toContain('topic-body-marker');
      expect(sent[0]!.body).not.toContain('topic-description-marker');
    });

    it('strips front matter and HTML comments from MEMORY.md', async () => {
      const { text } = await withMemory('stripped', '---\nname: index\nfront-matter-marker: yes\n---\n<!-- comment-marker -->\n- [A](a.md) — visible-marker\n');
      expect(text).toContain('visible-marker');
      expect(text).not.toContain('front-matter-marker');
      expect(text).not.toContain('comment-marker');
    });

    it('keeps the first 200 lines and says how many there were', async () => {
      const lines = Array.from({ length: 260 }, (_, index) => `- line-marker-${index + 1};`);
      const { text } = await withMemory('lines', `${lines.join('\n')}\n`);
      expect(text).toContain(`${lines.slice(0, 200).join('\n')}\n\n> WARNING: MEMORY.md is 260 lines (limit: 200). ${ADVICE}\n`);
      expect(text).not.toContain('line-marker-201;');
    });

    it('cuts past 25,000 characters (not bytes) at the last line break before the limit', async () => {
      // 100 lines of 305 characters: 30,500 characters, cut after line 81 (24,705 characters).
      const lines = Array.from({ length: 100 }, (_, index) => `- chars-marker-${String(index + 1).padStart(3, '0')} ${'x'.repeat(285)}`);
      const { text } = await withMemory('characters', `${lines.join('\n')}\n`);
      expect(text).toContain(`${lines[80]}\n\n> WARNING: MEMORY.md is 29.8KB (limit: 24.4KB) — index entries are too long. ${ADVICE}\n`);
      expect(text).not.toContain('chars-marker-082');

      // 13,100 characters of two-byte UTF-8 (26,300 bytes) load whole: the limit counts characters.
      const wide = Array.from({ length: 100 }, (_, index) => `- ${'é'.repeat(126)} wide-${String(index + 1).padStart(3, '0')}`);
      expect(Buffer.byteLength(wide.join('\n'))).toBeGreaterThan(25_000);
      const { text: wideText } = await withMemory('wide', `${wide.join('\n')}\n`);
      expect(wideText).toContain('wide-100');
      expect(wideText).not.toContain('WARNING: MEMORY.md');
    });

    it('names both limits when both are passed', async () => {
      const lines = Array.from({ length: 260 }, (_, index) => `- both-marker-${index + 1}; ${'x'.repeat(150)}`);
      const { text } = await withMemory('both', `${lines.join('\n')}\n`);
      const warning = /\n\n> WARNING: MEMORY\.md is 260 lines and (\d+\.\d)KB\. (.*)\n/.exec(text);
      expect(warning?.[2]).toBe(ADVICE);
      // The size is the whole file's (trimmed) length in characters / 1024, one decimal.
      expect(warning?.[1]).toBe((lines.join('\n').length / 1024).toFixed(1));
    });
  });

  describe('handoffs memory in the real location', () => {
    /** `handoffs memory ARGS` in `cwd`, with no --memory-dir: the folder is the CLI's own choice. */
    const memory = (cwd: string, args: string[], input?: string) => handoffs(['memory', ...args], { env: home.env, cwd, input });

    /** `memory add` of one topic, with a body; fails the test when the command fails. */
    async function addTopic(cwd: string, topic: string, description: string): Promise<void> {
      const added = await memory(cwd, ['add', '--topic', topic, '--description', description, '--type', 'project', '--file', '-'], `topic-body-marker of ${topic}\n`);
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
    }

    it("an entry added with `handoffs memory add` (no --memory-dir) appears in the next real session's request", async () => {
      const cwd = join(base, 'memory-add');
      await mkdir(cwd);
      const where = await memory(cwd, ['where']);
      expect(where.code).toBe(0);
      const description = `deploy-marker-${randomUUID()} ship with make deploy after the canary`;
      await addTopic(cwd, 'deploy', description);

      const { request, memoryDir } = await session(cwd, 'How do we deploy?');
      // The folder the CLI chose is the one the client loads.
      expect(`${where.stdout.trim()}/`).toBe(memoryDir);
      const text = reminder(request);
      expect(text).toContain(`Contents of ${memoryDir}MEMORY.md (user's auto-memory, persists across conversations):`);
      expect(occurrences(text, description)).toBe(1);
      // The topic itself stays on disk until the model reads it.
      expect(request.messages.map((message) => JSON.stringify(message.content)).join('')).not.toContain('topic-body-marker');
    });

    it('a MEMORY.md clobbered by a parallel rewrite is repaired by `handoffs memory repair` and its lines reappear in the next request', async () => {
      const cwd = join(base, 'memory-repair');
      await mkdir(cwd);
      const kept = `kept-marker-${randomUUID()} the staging database is read-only`;
      const lost = `lost-marker-${randomUUID()} releases are tagged from main only`;
      await addTopic(cwd, 'staging', kept);
      const index = join(projects, projectFolderName(cwd), 'memory', 'MEMORY.md');
      // A parallel session read the index here, before the second entry was added ...
      const staleCopy = await readFile(index, 'utf8');
      await addTopic(cwd, 'releases', lost);
      expect(await readFile(index, 'utf8')).toContain(lost);
      // ... and then wrote its copy back: the topic file survives, its index line is gone.
      await writeFile(index, staleCopy);
      expect(existsSync(join(projects, projectFolderName(cwd), 'memory', 'releases.md'))).toBe(true);

      const clobbered = reminder((await session(cwd, 'What do we know?')).request);
      expect(clobbered).toContain(kept);
      expect(clobbered).not.toContain(lost);

      const repaired = await memory(cwd, ['repair']);
      expect(repaired.stderr).toBe('');
      expect(repaired.code).toBe(0);
      expect(repaired.stdout).toMatch(/^restore line \d+ under ## .*releases\.md.*$/m);
      expect(repaired.stdout).toContain(`repaired ${index}: 1 line restored, 0 duplicates removed`);

      const healed = reminder((await session(cwd, 'What do we know now?')).request);
      expect(occurrences(healed, kept)).toBe(1);
      expect(occurrences(healed, lost)).toBe(1);
    });
  });
});
