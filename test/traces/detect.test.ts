import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectTranscriptFormat, parseTranscript, readTranscript, TRACE_AGENTS, transcriptFormat } from '../../src/index.js';

const ROOT = join('test', 'fixtures', 'transcripts');

/** Every transcript fixture, with the agent that wrote it. */
async function fixtures(): Promise<Array<{ path: string; agent: string }>> {
  const found: Array<{ path: string; agent: string }> = [];
  for (const agent of ['claude', 'codex', 'gemini', 'copilot']) {
    for (const name of await readdir(join(ROOT, agent))) if (name.endsWith('.jsonl')) found.push({ path: join(ROOT, agent, name), agent });
  }
  for (const name of await readdir(join(ROOT, 'synthetic'))) {
    if (name.endsWith('.jsonl') || name.endsWith('.json')) found.push({ path: join(ROOT, 'synthetic', name), agent: name.split('-')[0]! });
  }
  return found;
}

const firstLine = async (path: string) => (await readFile(path, 'utf8')).split('\n')[0]!;

describe('detectTranscriptFormat: the agent, from a transcript’s first line', () => {
  it('tells every fixture’s agent from its first line', async () => {
    const all = await fixtures();
    expect(all.length).toBeGreaterThanOrEqual(20);
    for (const { path, agent } of all) expect(detectTranscriptFormat(await firstLine(path)), path).toBe(agent);
  });

  it('tells it from the start of a first line too long to be read whole', async () => {
    for (const { path, agent } of await fixtures()) {
      const line = await firstLine(path);
      if (line.length > 80) expect(detectTranscriptFormat(line.slice(0, 80)), path).toBe(agent);
    }
  });

  it('is undefined for lines no agent writes first, and skips a byte-order mark', () => {
    for (const line of ['', 'hello', '[1,2]', 'null', '{"type":"session.idle","data":{}}', '{"type":"event_msg","payload":{}}', '{"sessionId":"s"}', '{"type":"message"}']) {
      expect(detectTranscriptFormat(line), line).toBeUndefined();
    }
    expect(detectTranscriptFormat('\uFEFF{"type":"session.start","data":{}}')).toBe('copilot');
  });

  it('every agent with a reader recognizes its own first lines only', async () => {
    expect([...TRACE_AGENTS].sort()).toEqual(['claude', 'codex', 'copilot', 'gemini']);
    for (const { path, agent } of await fixtures()) {
      const line = await firstLine(path);
      for (const other of TRACE_AGENTS) expect(transcriptFormat(other)!.recognizes(line), `${other} on ${path}`).toBe(other === agent);
    }
  });
});

describe('readTranscript with no agent given', () => {
  it('reads each fixture with its own agent’s reader', async () => {
    for (const { path, agent } of await fixtures()) {
      expect(await readTranscript(path), path).toEqual(await readTranscript(path, { agent: agent as never }));
    }
  });

  it('reads a Codex rollout whose first line is longer than the part read to tell the agent', async () => {
    const [meta, ...rest] = (await readFile(join(ROOT, 'codex', 'rollout.jsonl'), 'utf8')).split('\n');
    const line = JSON.parse(meta!) as { payload: { base_instructions: { text: string } } };
    line.payload.base_instructions.text = 'x'.repeat(200 * 1024);
    const trace = parseTranscript([JSON.stringify(line), ...rest].join('\n'));
    expect(trace.agent).toBe('codex');
    expect(trace.request).toBe('Start a notes folder with a todo list and a plan.');
  });

  it('falls back on Claude Code’s reader when the first line tells nothing (the default before detection)', async () => {
    expect(parseTranscript('garbage\n').agent).toBe('claude');
    expect(parseTranscript('').agent).toBe('claude');
  });

  it('an agent given wins over the first line', async () => {
    const trace = await readTranscript(join(ROOT, 'codex', 'rollout.jsonl'), { agent: 'gemini' });
    expect(trace.agent).toBe('gemini');
    expect(trace.work).toBe('unknown'); // every line is of a type Gemini's reader does not know
  });
});
