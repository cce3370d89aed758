/**
 * The instructions block init keeps in an agent's Markdown file (CLAUDE.md, AGENTS.md, GEMINI.md,
 * copilot-instructions.md), between two markers. Only the text between the markers is init's: a
 * later run replaces it, `--uninstall` removes it, and every other byte of the file stays.
 */

/** The first line of the block. */
export const BLOCK_BEGIN = '<!-- handoffs:begin (managed by `handoffs init`; a later run replaces this block) -->';
/** The last line of the block. */
export const BLOCK_END = '<!-- handoffs:end -->';

/**
 * The block: tells the agent that handoffs arrive by themselves at session start and how to write
 * one before it finishes. One text for every agent, so agents that share a file (Codex and
 * OpenCode read AGENTS.md) never fight over it. `writeCommand` is the CLI with its `--dir` or
 * `--store`, e.g. `handoffs write --dir /data/handoffs`.
 */
export function instructionsBlock(writeCommand: string): string {
  return [
    BLOCK_BEGIN,
    '## Session handoffs',
    '',
    'Several sessions may run at once. They hand context to each other through separate handoff',
    'files, never through one shared file.',
    '',
    '- Session start: handoffs from earlier sessions of this project arrive by themselves (`handoffs',
    '  init` installed a session-start hook or plugin). Read them before starting work.',
    '- Session end: before you finish, write a handoff for whoever comes next: what you did, what is',
    '  unfinished, what to do next, and anything that surprised you.',
    '',
    '  ```sh',
    `  ${writeCommand} --slug "short-topic" <<'EOF'`,
    '  Done: ...',
    '  Next: ...',
    '  EOF',
    '  ```',
    '',
    '- Do not edit, rename or delete files in the handoffs directory by hand.',
    BLOCK_END,
  ].join('\n');
}

/** Where the block is in `text`: from the start of its first line to the end of its last, or undefined. */
function findBlock(text: string): { start: number; end: number } | undefined {
  const start = text.indexOf(BLOCK_BEGIN);
  if (start < 0) return undefined;
  const end = text.indexOf(BLOCK_END, start);
  return end < 0 ? undefined : { start, end: end + BLOCK_END.length };
}

/**
 * `text` with `block` in it: replacing the block that is there, else appended after one blank line
 * (a missing or blank file becomes the block alone). Everything outside the block is kept as is.
 */
export function withBlock(text: string | undefined, block: string): string {
  if (text === undefined || text.trim() === '') return `${block}\n`;
  const found = findBlock(text);
  if (found) return text.slice(0, found.start) + block + text.slice(found.end);
  // One blank line, whatever the file ends with, so withoutBlock knows exactly what to take back.
  const separator = text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${separator}${block}\n`;
}

/**
 * `text` without the block and the line breaks `withBlock` added around it; `text` itself when
 * there is no block. A file that held only the block becomes `''`.
 */
export function withoutBlock(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const found = findBlock(text);
  if (!found) return text;
  let before = text.slice(0, found.start);
  let after = text.slice(found.end);
  if (after.startsWith('\r\n')) after = after.slice(2);
  else if (after.startsWith('\n')) after = after.slice(1);
  // The blank line withBlock put before the block, when the block was last.
  if (after === '' && before.endsWith('\n\n')) before = before.slice(0, -1);
  return before + after;
}
