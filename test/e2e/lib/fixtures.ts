import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The e2e tests can refresh the committed fixtures from the real clients' own output:
 * `HANDOFFS_E2E_WRITE_FIXTURES=1 npm run e2e` writes them; an ordinary run only reads the clients'
 * output and leaves the repository untouched.
 */
export const WRITE_FIXTURES = process.env.HANDOFFS_E2E_WRITE_FIXTURES === '1';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Copies a file a client wrote to `test/fixtures/<relativePath>` when fixtures are being refreshed. */
export async function saveFixtureFile(source: string, relativePath: string): Promise<void> {
  if (!WRITE_FIXTURES) return;
  const target = join(FIXTURES, relativePath);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(source, target);
}

/** Writes text to `test/fixtures/<relativePath>` when fixtures are being refreshed. */
export async function saveFixtureText(relativePath: string, text: string): Promise<void> {
  if (!WRITE_FIXTURES) return;
  const target = join(FIXTURES, relativePath);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text);
}

/**
 * Copies a JSONL file a client wrote to `test/fixtures/<relativePath>`, passing each record through
 * `redact` first: the clients' own system prompts are theirs, not ours to redistribute, so they are
 * replaced by a note that keeps the record's shape.
 */
export async function saveFixtureJsonl(source: string, relativePath: string, redact: (record: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  if (!WRITE_FIXTURES) return;
  const lines = (await readFile(source, 'utf8')).trim().split('\n');
  const text = lines.map((line) => JSON.stringify(redact(JSON.parse(line) as Record<string, unknown>))).join('\n');
  await saveFixtureText(relativePath, `${text}\n`);
}

/** The note that stands in for removed text. */
export function removedText(what: string, text: unknown): string {
  return `[removed from this fixture: ${what}, ${typeof text === 'string' ? text.length : 0} characters]`;
}
