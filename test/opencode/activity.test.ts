import { describe, expect, it } from 'vitest';
import { SessionActivity } from '../../src/opencode/activity.js';

const assistant = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'message.updated',
  properties: { sessionID: 's', info: { id, role: 'assistant', time: { created: 1 }, ...extra } },
});
const part = (fields: Record<string, unknown>) => ({ type: 'message.part.updated', properties: { sessionID: 's', part: { id: 'p', sessionID: 's', ...fields } } });

describe('SessionActivity', () => {
  it('counts a model reply once, when it completes without an error', () => {
    const activity = new SessionActivity();
    activity.observe(assistant('m1'));
    expect(activity.facts().replies).toBe(0);
    activity.observe(assistant('m1', { finish: 'stop', time: { created: 1, completed: 2 } }));
    activity.observe(assistant('m1', { finish: 'stop', time: { created: 1, completed: 2 } }));
    expect(activity.facts().replies).toBe(1);
  });

  it('does not count a failed request, and keeps its error until a later reply completes', () => {
    const activity = new SessionActivity();
    activity.observe(assistant('m1', { error: { name: 'APIError', data: { message: 'Connection refused' } }, time: { created: 1, completed: 2 } }));
    expect(activity.facts()).toMatchObject({ replies: 0, lastError: 'Connection refused' });
    activity.observe(assistant('m2', { time: { created: 3, completed: 4 } }));
    expect(activity.facts()).toMatchObject({ replies: 1, lastError: undefined });
  });

  it("keeps the last reply's text, not the user's, and the files the steps changed, once each", () => {
    const activity = new SessionActivity();
    activity.observe(part({ messageID: 'u1', type: 'text', text: 'user words' }));
    activity.observe(assistant('m1'));
    activity.observe(part({ messageID: 'm1', type: 'text', text: '' }));
    activity.observe(part({ messageID: 'm1', type: 'text', text: 'Created it.' }));
    activity.observe(part({ messageID: 'm1', type: 'patch', files: ['/r/a.txt', '/r/b.txt'] }));
    activity.observe(part({ messageID: 'm1', type: 'patch', files: ['/r/a.txt', 7] }));
    expect(activity.facts()).toMatchObject({ lastMessage: 'Created it.', files: ['/r/a.txt', '/r/b.txt'], fileCount: 2 });
  });

  it("takes the request from the first message's own text parts, not those a plugin added", () => {
    const activity = new SessionActivity();
    activity.noteRequest([
      { id: 'p1', sessionID: 's', messageID: 'u', type: 'text', text: 'Fix the build' },
      { id: 'p2', sessionID: 's', messageID: 'u', type: 'text', text: 'Handoffs from …', synthetic: true },
      { id: 'p3', sessionID: 's', messageID: 'u', type: 'file' },
    ]);
    activity.noteRequest([{ id: 'p4', sessionID: 's', messageID: 'u2', type: 'text', text: 'second' }]);
    expect(activity.facts().request).toBe('Fix the build');
  });

  it('lists at most 50 files and counts the rest, and clips long texts', () => {
    const activity = new SessionActivity();
    activity.observe(part({ messageID: 'm', type: 'patch', files: Array.from({ length: 60 }, (_, index) => `/r/${index}`) }));
    activity.noteRequest([{ id: 'p', sessionID: 's', messageID: 'u', type: 'text', text: 'x'.repeat(5000) }]);
    const facts = activity.facts();
    expect(facts.files).toHaveLength(50);
    expect(facts.fileCount).toBe(60);
    expect(facts.request).toBe(`${'x'.repeat(2000)}…`);
  });
});
