import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HandoffStore } from '../../src/index.js';
import { HandoffsPlugin, type HandoffsPluginOptions } from '../../src/opencode/index.js';
import { tempDir } from '../helpers.js';
import { FakeOpencode } from './fake-opencode.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A git repository (the project) and a handoffs directory, in a fresh temp folder. */
async function world() {
  const temp = await tempDir();
  cleanups.push(temp.dispose);
  const repo = join(temp.root, 'repo');
  await mkdir(join(repo, '.git'), { recursive: true });
  await writeFile(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  const dir = join(temp.root, 'handoffs');
  const store = new HandoffStore({ dir, durable: false });
  const start = async (options: HandoffsPluginOptions = {}) =>
    new FakeOpencode(await HandoffsPlugin({ directory: repo, worktree: repo }, { dir, env: {}, ...options }));
  /** A handoff as another agent's session writes it at its end. */
  const handoff = (slug: string, body: string, meta: Record<string, string> = {}) =>
    store.write({ slug, body, meta: { project: repo, agent: 'claude', sessionId: `claude-${slug}`, ...meta } });
  const states = async () => Object.fromEntries((await store.list({ consumed: true })).map((ref) => [ref.slug, ref.state]));
  return { root: temp.root, repo, dir, store, start, handoff, states };
}

/** The texts the plugin added to a message. */
function added(parts: ReadonlyArray<{ synthetic?: boolean; text?: string }>): string[] {
  return parts.filter((part) => part.synthetic === true).map((part) => part.text ?? '');
}

describe('HandoffsPlugin: handing over at session start', () => {
  it("claims the project's pending handoffs at session.created, before any message", async () => {
    const { repo, start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done; tokens next.');
    const opencode = await start();
    opencode.createSession(repo);
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'claimed' }));
  });

  it('adds one synthetic text part after the user\'s words: an intro naming the sessions and agents, then the handoffs', async () => {
    const { repo, dir, start, handoff } = await world();
    await handoff('auth-refactor', 'Login done; tokens next.');
    await handoff('ci-fix', 'CI green again.', { agent: 'codex', sessionId: '0199a2f4-codex' });
    const opencode = await start();
    const session = opencode.createSession(repo);
    const { parts } = await opencode.sendMessage(session, 'hello');

    expect(parts.map((part) => part.type)).toEqual(['text', 'text']);
    expect(parts[0]!.text).toBe('hello');
    const [text] = added(parts);
    expect(parts[1]).toMatchObject({ sessionID: session, messageID: parts[0]!.messageID, synthetic: true });
    expect(parts[1]!.id > parts[0]!.id).toBe(true);
    const [intro] = text!.split('\n');
    expect(intro).toBe(
      `Handoffs from earlier sessions of this project (2, oldest first), from Claude Code session claude-auth-refactor, Codex session 0199a2f4-codex. They are marked consumed; full texts stay in ${dir} for 7 days.`,
    );
    expect(text!.indexOf('Login done; tokens next.')).toBeGreaterThan(0);
    expect(text!.indexOf('CI green again.')).toBeGreaterThan(text!.indexOf('Login done; tokens next.'));
  });

  it('adds nothing to the later messages of the session, nor to a session with nothing pending', async () => {
    const { repo, start, handoff } = await world();
    const opencode = await start();
    const empty = opencode.createSession(repo);
    expect(added((await opencode.sendMessage(empty, 'first')).parts)).toEqual([]);
    await handoff('late', 'Written after the session started.');
    expect(added((await opencode.sendMessage(empty, 'second')).parts)).toEqual([]);

    const other = opencode.createSession(repo);
    expect(added((await opencode.sendMessage(other, 'first')).parts)).toHaveLength(1);
    expect(added((await opencode.sendMessage(other, 'second')).parts)).toEqual([]);
  });

  it('acknowledges only once OpenCode has saved the part with the text', async () => {
    const { repo, start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    const opencode = await start();
    const session = opencode.createSession(repo);
    const { parts } = await opencode.sendMessage(session, 'hello', { save: false, request: false });
    expect(await states()).toEqual({ 'auth-refactor': 'claimed' });
    // Another part's announcement is no proof.
    opencode.emit('message.part.updated', { sessionID: session, part: parts[0] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await states()).toEqual({ 'auth-refactor': 'claimed' });
    opencode.emit('message.part.updated', { sessionID: session, part: parts[1] });
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'consumed' }));
  });

  it("acknowledges at the session's first model request when the saved part was not announced", async () => {
    const { repo, start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    const opencode = await start();
    const session = opencode.createSession(repo);
    await opencode.sendMessage(session, 'hello', { save: false, request: true });
    expect(await states()).toEqual({ 'auth-refactor': 'consumed' });
  });

  it('gives the claim back at session.idle when the text never reached a saved message', async () => {
    const { repo, start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    const opencode = await start();
    const session = opencode.createSession(repo);
    await opencode.sendMessage(session, 'hello', { save: false, request: false });
    opencode.idle(session);
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'pending' }));
  });

  it('gives back at session.idle what a session holds before its first message, and claims again at that message', async () => {
    const { repo, start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    const opencode = await start();
    const session = opencode.createSession(repo);
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'claimed' }));
    opencode.idle(session);
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'pending' }));
    const { parts } = await opencode.sendMessage(session, 'hello');
    expect(added(parts).join('')).toContain('Login done.');
    expect(await states()).toEqual({ 'auth-refactor': 'consumed' });
  });

  it('claims afresh at the first message a claim held for half its lease, so no other session can take it over meanwhile', async () => {
    const { repo, dir, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    let clock = Date.parse('2026-11-25T12:00:00Z');
    const now = () => new Date(clock);
    const store = new HandoffStore({ dir, durable: false, leaseMs: 1_000, now });
    const opencode = new FakeOpencode(await HandoffsPlugin({ directory: repo, worktree: repo }, { store, now, env: {} }));
    const waiting = opencode.createSession(repo);
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'claimed' }));
    clock += 600;
    const first = await opencode.sendMessage(waiting, 'hello', { save: false, request: false });
    expect(added(first.parts).join('')).toContain('Login done.');
    // Past the lease of the claim made at session.created, within the one made at the message.
    clock += 500;
    const other = opencode.createSession(repo);
    expect(added((await opencode.sendMessage(other, 'hi')).parts)).toEqual([]);
    opencode.emit('message.part.updated', { sessionID: waiting, part: first.parts[1] });
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'consumed' }));
  });

  it('gives two OpenCode processes starting sessions at once disjoint handoffs, together all of them', async () => {
    const { repo, dir, handoff, states } = await world();
    const bodies = Array.from({ length: 12 }, (_, index) => `Handoff body number ${index + 1}.`);
    for (const [index, body] of bodies.entries()) await handoff(`task-${index + 1}`, body);
    const processes = await Promise.all(
      [0, 1].map(async () => new FakeOpencode(await HandoffsPlugin({ directory: repo, worktree: repo }, { store: new HandoffStore({ dir, durable: false }), env: {} }))),
    );
    const sessions = processes.map((opencode) => opencode.createSession(repo));
    const sent = await Promise.all(processes.map((opencode, index) => opencode.sendMessage(sessions[index]!, 'hello')));
    const received = sent.map(({ parts }) => bodies.filter((body) => added(parts).join('\n').includes(body)));
    expect(received[0]!.filter((body) => received[1]!.includes(body))).toEqual([]);
    expect([...received[0]!, ...received[1]!].sort()).toEqual([...bodies].sort());
    expect(new Set(Object.values(await states()))).toEqual(new Set(['consumed']));
  });

  it("leaves another project's handoffs pending", async () => {
    const { root, repo, start, handoff, states } = await world();
    await handoff('elsewhere', 'For the other repository.', { project: join(root, 'other-repo') });
    await handoff('here', 'For this one.');
    const opencode = await start();
    const session = opencode.createSession(join(repo, 'src'));
    const [text] = added((await opencode.sendMessage(session, 'hello')).parts);
    expect(text).toContain('For this one.');
    expect(text).not.toContain('For the other repository.');
    expect(await states()).toEqual({ elsewhere: 'pending', here: 'consumed' });
  });

  it("gives a subagent's session nothing, and its shell commands the parent session's id", async () => {
    const { repo, start, handoff, states } = await world();
    const opencode = await start();
    const parent = opencode.createSession(repo);
    await opencode.sendMessage(parent, 'hello');
    await handoff('meanwhile', 'Written while the parent works.');
    const child = opencode.createSession(repo, { parentId: parent });
    expect(added((await opencode.sendMessage(child, 'subtask')).parts)).toEqual([]);
    expect(await states()).toEqual({ meanwhile: 'pending' });

    const env: Record<string, string> = { PATH: '/usr/bin' };
    await opencode.hooks['shell.env']({ cwd: repo, sessionID: child }, { env });
    expect(env).toEqual({ PATH: '/usr/bin', HANDOFFS_SESSION_ID: parent });
  });

  it("sets HANDOFFS_SESSION_ID in the shell of the session's commands, so a `handoffs write` there names the session", async () => {
    const { repo, start } = await world();
    const opencode = await start();
    const session = opencode.createSession(repo);
    const env: Record<string, string> = {};
    await opencode.hooks['shell.env']({ cwd: repo, sessionID: session, callID: 'call_1' }, { env });
    expect(env.HANDOFFS_SESSION_ID).toBe(session);
    const none: Record<string, string> = {};
    await opencode.hooks['shell.env']({ cwd: repo }, { env: none });
    expect(none).toEqual({});
  });
});

describe('HandoffsPlugin: never throws into OpenCode', () => {
  it('turns a broken handoffs directory into a one-line note in the first message', async () => {
    const { root, repo } = await world();
    const notADirectory = join(root, 'plain-file');
    await writeFile(notADirectory, 'not a directory');
    const opencode = new FakeOpencode(await HandoffsPlugin({ directory: repo, worktree: repo }, { dir: notADirectory, env: {} }));
    const session = opencode.createSession(repo);
    const { parts } = await opencode.sendMessage(session, 'hello');
    const notes = added(parts);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^handoffs: could not load handoffs from earlier sessions \(.*\)\. Run `handoffs start` to retry\.$/);
    expect(notes[0]).not.toContain('\n');
    opencode.reply(session, parts[0]!.messageID, { text: 'ok' });
    opencode.idle(session);
    await expect(opencode.dispose()).resolves.toBeUndefined();
    expect(opencode.eventRejections).toEqual([]);
  });

  it('turns a store URL no backend takes into the same note', async () => {
    const { repo, start } = await world();
    const opencode = await start({ env: { HANDOFFS_STORE: 'nosuch://host/handoffs' } });
    const session = opencode.createSession(repo);
    const [note] = added((await opencode.sendMessage(session, 'hello')).parts);
    expect(note).toContain('handoffs: could not load handoffs from earlier sessions (no store backend for nosuch://host/handoffs)');
  });

  it('ignores events of shapes it does not know, and messages of sessions it never saw created', async () => {
    const { start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    const opencode = await start();
    opencode.emit('session.created', {});
    opencode.emit('session.created', { info: 'not an object' });
    opencode.emit('message.updated', { sessionID: 42, info: null });
    opencode.emit('session.idle', {});
    await opencode.hooks.event({ event: { type: 'message.part.updated' } });
    expect(added((await opencode.sendMessage('ses_resumed', 'hello')).parts)).toEqual([]);
    expect(opencode.eventRejections).toEqual([]);
    expect(await states()).toEqual({ 'auth-refactor': 'pending' });
  });
});

describe('HandoffsPlugin: at shutdown', () => {
  it('writes a minimal trace for a session that had a model reply and wrote no handoff', async () => {
    const { repo, store, start } = await world();
    const opencode = await start();
    const session = opencode.createSession(repo);
    const { messageId } = await opencode.sendMessage(session, 'Add a notes folder');
    opencode.reply(session, messageId, { text: 'Created notes/todo.txt.', files: [join(repo, 'notes', 'todo.txt')] });
    opencode.idle(session);
    await opencode.dispose();

    const [trace, ...others] = await store.list();
    expect(others).toEqual([]);
    const { meta, body } = await store.read(trace!.name);
    expect(trace!.slug).toBe('session-end');
    expect(meta).toMatchObject({ agent: 'opencode', sessionId: session, project: repo, cwd: repo, branch: 'main', tags: ['auto', 'session-end'] });
    expect(body).toContain(`OpenCode session ${session} ended without writing a handoff`);
    expect(body).toContain('- Model replies: 1');
    expect(body).toContain(`- Files changed (1): ${join(repo, 'notes', 'todo.txt')}`);
    expect(body).toContain('Request:\n\n> Add a notes folder');
    expect(body).toContain('Last reply:\n\n> Created notes/todo.txt.');
    expect(body).toContain(`\`opencode export ${session}\``);
  });

  it('writes no trace for a session that wrote its own handoff, nor with trace: false', async () => {
    const { repo, store, start, states } = await world();
    const opencode = await start();
    const session = opencode.createSession(repo);
    const { messageId } = await opencode.sendMessage(session, 'Fix the build');
    opencode.reply(session, messageId, { text: 'Fixed.' });
    await store.write({ slug: 'build-fixed', body: 'The build is fixed.', meta: { project: repo, sessionId: session } });
    await opencode.dispose();
    expect((await store.list()).map((ref) => ref.slug)).toEqual(['build-fixed']);

    const quiet = await start({ trace: false });
    const other = quiet.createSession(repo);
    const sent = await quiet.sendMessage(other, 'Fix the tests');
    quiet.reply(other, sent.messageId, { text: 'Fixed.' });
    await quiet.dispose();
    expect(await states()).toEqual({ 'build-fixed': 'consumed' });
  });

  it('gives back what a session received when no model reply came, and writes nothing', async () => {
    const { repo, store, start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    const opencode = await start();
    const session = opencode.createSession(repo);
    const { messageId } = await opencode.sendMessage(session, 'hello');
    expect(await states()).toEqual({ 'auth-refactor': 'consumed' });
    opencode.reply(session, messageId, { error: 'Connection refused' });
    opencode.idle(session);
    await opencode.dispose();
    const pending = await store.list();
    expect(pending.map((ref) => [ref.slug, ref.state])).toEqual([['auth-refactor', 'pending']]);
    expect((await store.read(pending[0]!.name)).body).toBe('Login done.');
  });

  it('writes nothing for a session deleted before the end, and gives back what it held', async () => {
    const { repo, store, start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    const opencode = await start();
    const session = opencode.createSession(repo);
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'claimed' }));
    opencode.reply(session, 'msg_x', { text: 'Done.' });
    opencode.emit('session.deleted', { sessionID: session, info: { id: session } });
    await vi.waitFor(async () => expect(await states()).toEqual({ 'auth-refactor': 'pending' }));
    await opencode.dispose();
    expect((await store.list()).map((ref) => ref.slug)).toEqual(['auth-refactor']);
  });

  it('gives back a claim whose text never reached a saved message', async () => {
    const { repo, start, handoff, states } = await world();
    await handoff('auth-refactor', 'Login done.');
    const opencode = await start();
    const session = opencode.createSession(repo);
    await opencode.sendMessage(session, 'hello', { save: false, request: false });
    await opencode.dispose();
    expect(await states()).toEqual({ 'auth-refactor': 'pending' });
  });
});
