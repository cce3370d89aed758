import { mkdir } from 'node:fs/promises';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { MemoryError } from '../errors.js';
import { MemoryIndex } from '../memory/memory-index.js';
import { confinedTopic } from './confine.js';
import type { ToolContext } from './context.js';
import { fields } from './fields.js';
import { guarded, toolResult } from './results.js';

/**
 * The memory tools: search the index, read a topic, add or update a topic. The index is opened
 * afresh on every call, so what other sessions wrote meanwhile is seen; every topic name goes
 * through the store's topic grammar and the link check of `confinedTopic` before any file is touched.
 */

const MAX_TOPIC_CHARS = 255;
const MAX_LINE_CHARS = 1000;
const MAX_BODY_CHARS = 1_000_000;

/** Registers the memory tools on `server`. */
export function registerMemoryTools(server: McpServer, context: ToolContext): void {
  const { z } = context;
  const field = fields(z);
  const topic = field.text(
    'topic',
    'The topic\'s name: a relative file name inside the memory folder, e.g. "deploy" or "infra/servers.md" (letters, digits, ".", "_", "-"; no "..", no leading "/" or ".").',
    MAX_TOPIC_CHARS,
  );

  /** The index in this project's memory folder; `undefined` when the folder does not exist yet. */
  async function openIndex(create: boolean): Promise<{ dir: string; index: MemoryIndex | undefined }> {
    const dir = await context.memoryDir(await context.project());
    // The folder is made only by a write: a read must not leave an empty folder behind.
    if (create) await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      return { dir, index: await MemoryIndex.open({ dir }) };
    } catch (error) {
      if (error instanceof MemoryError && error.code === 'NOT_FOUND' && !create) return { dir, index: undefined };
      throw error;
    }
  }

  server.registerTool(
    'search_memory',
    {
      title: 'Search memory',
      description:
        'Search the long-term memory kept across sessions (an index of topics, one line each, grouped in sections) for topics relevant to your ' +
        'task, e.g. "deploy", "test setup", "naming conventions". Returns topic names with their one-line summaries, best first; read one with read_memory.',
      inputSchema: z.strictObject({
        query: field.text('query', 'Words to look for in topic titles, summaries and sections; prefixes and small typos match.', MAX_LINE_CHARS),
        limit: field.count('limit', 'At most this many topics. Default 10.', 100).optional(),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input) =>
      guarded(async () => {
        const { dir, index } = await openIndex(false);
        if (index === undefined) return toolResult(`Memory is empty: ${dir} does not exist yet (add_memory creates it).`, { hits: [] });
        const hits = await index.search(input.query, { limit: input.limit ?? 10 });
        const lines = hits.map((hit) => `- ${hit.file}: ${hit.title} — ${hit.summary} (section ${hit.section})`);
        const text = hits.length === 0 ? `No memory topic matches ${JSON.stringify(input.query)}.` : `${lines.join('\n')}\n\nRead a topic with read_memory.`;
        return toolResult(text, { hits: hits.map(({ file, title, summary, section, score }) => ({ topic: file, title, summary, section, score })) });
      }),
  );

  server.registerTool(
    'read_memory',
    {
      title: 'Read a memory topic',
      description: 'Read one memory topic file in full, by the topic name search_memory returned.',
      inputSchema: z.strictObject({ topic }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (input) =>
      guarded(async () => {
        const { dir, index } = await openIndex(false);
        if (index === undefined) throw new MemoryError('NOT_FOUND', `memory is empty: ${dir} does not exist yet`);
        const file = await confinedTopic(index.dir, input.topic);
        const text = await index.read(file);
        return toolResult(text, { topic: file, text });
      }),
  );

  server.registerTool(
    'add_memory',
    {
      title: 'Add or update a memory topic',
      description:
        'Keep a lasting fact for future sessions (how to build or deploy, where things are, decisions and their reasons, conventions): creates or ' +
        "updates a topic file and its one line in the memory index under a section. Safe when other sessions write at once. Not for this session's " +
        'handoff: use write_handoff for that.',
      inputSchema: z.strictObject({
        topic,
        section: field.text('section', 'The index section it belongs under, e.g. "Ops" or "Conventions"; created if missing.', MAX_LINE_CHARS),
        summary: field.text('summary', 'One line saying what the topic holds and when to read it (under ~150 characters).', MAX_LINE_CHARS),
        title: field.text('title', 'The topic\'s title in the index. Default: the existing title, else the topic name.', MAX_LINE_CHARS).optional(),
        body: field.text('body', 'The whole new text of the topic file, in Markdown. Omitted: an existing file is kept; a new one gets a heading and the summary.', MAX_BODY_CHARS).optional(),
      }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (input) =>
      guarded(async () => {
        const { index } = await openIndex(true);
        const file = await confinedTopic(index!.dir, input.topic);
        const entry = await index!.upsert({ topic: file, section: input.section, summary: input.summary, title: input.title, body: input.body });
        return toolResult(`Saved memory topic ${entry.file} under "${entry.section}" (line ${entry.line} of the index).`, {
          topic: entry.file,
          title: entry.title,
          section: entry.section,
          summary: entry.summary,
          line: entry.line,
        });
      }),
  );
}
