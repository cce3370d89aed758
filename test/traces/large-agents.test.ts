import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BYTES, readTranscript } from '../../src/index.js';
import { type LargeAgentTranscript, writeLargeCodexRollout, writeLargeCopilotLog, writeLargeGeminiLog } from './large-agent-transcripts.js';

// 24 MiB per agent: past the default 16 MiB cap, so each reader meets a head, a gap and a tail.
// (The 50 MB, memory-capped case for the shared reading code is large.test.ts.)
const SIZE = 24 * 1024 * 1024;

let dir: string;
const files = new Map<string, { path: string; big: LargeAgentTranscript }>();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handoffs-traces-large-agents-'));
  for (const [agent, write] of [['codex', writeLargeCodexRollout], ['gemini', writeLargeGeminiLog], ['copilot', writeLargeCopilotLog]] as const) {
    const path = join(dir, `${agent}.jsonl`);
    files.set(agent, { path, big: await write(path, SIZE) });
  }
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(['codex', 'gemini', 'copilot'] as const)('a 24 MiB %s transcript', (agent) => {
  it('with the default cap: the first request from the head, the last message and latest files from the tail, quickly', async () => {
    const { path, big } = files.get(agent)!;
    const start = performance.now();
    const trace = await readTranscript(path);
    const ms = performance.now() - start;
    console.log(`${agent}, ${(big.size / 1024 / 1024).toFixed(1)} MiB, default cap: ${ms.toFixed(0)} ms`);
    expect(trace.agent).toBe(agent);
    expect(trace.sessionId).toBe(big.sessionId);
    expect(trace.request).toBe(big.request);
    expect(trace.lastMessage).toBe(big.lastMessage);
    expect(trace.filesChanged.slice(-2)).toEqual(big.lastFiles.map((path) => ({ path, kind: 'created' })));
    expect(trace.bytes).toEqual({ size: big.size, read: DEFAULT_MAX_BYTES });
    expect(trace.issues.map((issue) => issue.code)).toEqual(['CAPPED']);
    expect(trace.work).toBe('done');
    expect(ms).toBeLessThan(3000);
  });

  it('with no cap: every round’s command and file', async () => {
    const { path, big } = files.get(agent)!;
    const trace = await readTranscript(path, { maxBytes: Infinity });
    expect(trace.counts.commands).toBe(big.rounds);
    expect(trace.filesChanged).toHaveLength(big.rounds);
    expect(trace.commands.at(-1)).toEqual({ command: `cat src/module-${big.rounds}.ts`, status: 'ok', exitCode: 0 });
    expect(trace.issues).toEqual([]);
  });
});
