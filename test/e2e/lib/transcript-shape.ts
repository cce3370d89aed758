import type { TranscriptLine } from './claude.js';

/**
 * The shape of one transcript line, as a string: its type (and subtype or attachment type), the
 * kinds of its message content blocks (tool names, `!` for a tool error), what its structured
 * tool result is, and its sorted keys. Ids, timestamps and texts are left out, so two runs of the
 * same script have the same shapes, and a client release that writes its lines differently does not.
 */
export function lineShape(line: TranscriptLine): string {
  const parts: string[] = [String(line.type)];
  if (typeof line.subtype === 'string') parts.push(`subtype=${line.subtype}`);
  const attachment = line.attachment as Record<string, unknown> | undefined;
  if (attachment !== undefined) parts.push(`attachment=${String(attachment.type)}{${Object.keys(attachment).sort().join(',')}}`);
  const message = line.message as { role?: unknown; model?: unknown; content?: unknown } | undefined;
  if (message !== undefined) {
    parts.push(`role=${String(message.role)}`);
    if (message.model === '<synthetic>') parts.push('model=<synthetic>');
    parts.push(`content=${contentShape(message.content)}`);
  }
  if ('toolUseResult' in line) {
    const result = line.toolUseResult;
    parts.push(`toolUseResult=${typeof result === 'object' && result !== null ? `{${Object.keys(result).sort().join(',')}}` : typeof result}`);
  }
  parts.push(`keys=${Object.keys(line).sort().join(',')}`);
  return parts.join(' ');
}

/** Lines that carry the conversation (their order is the session's); the rest are bookkeeping. */
const CONVERSATION = new Set(['user', 'assistant', 'system', 'attachment']);

/**
 * A transcript's shapes in the form two runs of one script agree on: the conversation's lines in
 * order, then the client's bookkeeping lines (`mode`, `queue-operation`, `last-prompt`, …) sorted.
 * Claude Code writes those from concurrent tasks, so their place among each other varies from run
 * to run (seen: two `mode` lines before or after a `queue-operation` pair).
 */
export function transcriptShape(lines: readonly TranscriptLine[]): { conversation: string[]; bookkeeping: string[] } {
  const conversation: string[] = [];
  const bookkeeping: string[] = [];
  for (const line of lines) (CONVERSATION.has(String(line.type)) ? conversation : bookkeeping).push(lineShape(line));
  return { conversation, bookkeeping: bookkeeping.sort() };
}

function contentShape(content: unknown): string {
  if (typeof content === 'string') return 'string';
  if (!Array.isArray(content)) return typeof content;
  return `[${content
    .map((block: { type?: unknown; name?: unknown; is_error?: unknown }) => {
      const name = typeof block.name === 'string' ? `:${block.name}` : '';
      return `${String(block.type)}${name}${block.is_error === true ? '!' : ''}`;
    })
    .join(',')}]`;
}

/**
 * Rewrites a transcript's machine-specific paths to fixed ones, so a fixture reads the same
 * whatever machine and temp folder produced it: the temp HOME becomes `/home/user` (and its dashed
 * form, in project folder names, `-home-user`), and `command` (this checkout's CLI as the hooks ran
 * it) becomes `handoffs`. Nothing else is changed.
 */
export function scrubPaths(text: string, options: { home: string; command: string }): string {
  return text
    .split(JSON.stringify(options.command).slice(1, -1))
    .join('handoffs')
    .split(options.home)
    .join('/home/user')
    .split(options.home.replace(/[^A-Za-z0-9]/g, '-'))
    .join('-home-user');
}
