// Testing that code without touching the disk: memoryFs() behaves like the real filesystem.
// Run: npm run build && node --test examples/testing-with-memoryfs/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryFs } from 'handoffs';
import { closeSession, openSession } from './session.mjs';

const at = (iso) => () => new Date(iso);

test('a new session sees what two parallel sessions left, each once', async () => {
  const fs = memoryFs();
  const env = { dir: '/home/me/.claude/handoffs', fs, now: at('2026-02-27T14:30:22Z') };
  await closeSession(env, { topic: 'auth', done: 'login flow', next: 'tokens' });
  await closeSession(env, { topic: 'auth', done: 'signup flow', next: 'emails' });

  const context = await openSession(env);
  assert.match(context, /login flow/);
  assert.match(context, /signup flow/);
  assert.equal(await openSession(env), 'No handoffs from earlier sessions.');

  // The files are in memory only, with the names a shell would see.
  const names = Object.keys(fs.volume.toJSON()).map((path) => path.split('/').pop()).sort();
  assert.equal(names.length, 2);
  assert.ok(names.every((name) => name.endsWith('_done.md')));
});

test('consumed handoffs are deleted after the retention window', async () => {
  const fs = memoryFs();
  const dir = '/handoffs';
  await closeSession({ dir, fs, now: at('2026-02-01T10:00:00Z') }, { topic: 'old', done: 'x', next: 'y' });
  await openSession({ dir, fs, now: at('2026-02-01T11:00:00Z') });
  await openSession({ dir, fs, now: at('2026-02-09T12:00:00Z') });
  // Only the empty folder is left (toJSON lists it as null).
  assert.deepEqual(Object.values(fs.volume.toJSON(dir)).filter((text) => text !== null), []);
});
