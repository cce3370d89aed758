import { expect } from 'vitest';
import { renderTrace, type SessionTrace } from '../../src/index.js';

/** What every trace must be, whatever it was read from and whichever agent wrote it. */
export function expectCoherent(trace: SessionTrace): void {
  expect(['done', 'none', 'unknown']).toContain(trace.work);
  expect(trace.work === 'done').toBe(trace.modelReplied);
  // `none` is a strong claim: only when the whole file was read and understood.
  if (trace.work === 'none') {
    expect(trace.bytes.read).toBe(trace.bytes.size);
    expect(trace.issues.map((issue) => issue.code).filter((code) => code !== 'EMPTY' && code !== 'NOT_UTF8')).toEqual([]);
  }
  expect(new Set(trace.filesChanged.map((file) => file.path)).size).toBe(trace.filesChanged.length);
  for (const file of trace.filesChanged) expect(['created', 'edited', 'deleted']).toContain(file.kind);
  expect(trace.counts.filesChanged).toBe(trace.filesChanged.length);
  expect(trace.counts.commands).toBeGreaterThanOrEqual(trace.commands.length);
  expect(trace.counts.turns).toBeGreaterThanOrEqual(0);
  expect(trace.bytes.read).toBeLessThanOrEqual(trace.bytes.size);
  for (const todo of trace.todos ?? []) expect(['pending', 'in_progress', 'completed']).toContain(todo.status);
  const text = renderTrace(trace);
  expect(text.length).toBeLessThanOrEqual(4000);
  expect(text.replace(/\n$/, '').split('\n').length).toBeLessThanOrEqual(40);
}
