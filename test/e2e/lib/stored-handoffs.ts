import { handoffs } from './handoffs-cli.js';

/** One handoff as `handoffs show NAME --json` prints it. */
export interface StoredHandoff {
  readonly name: string;
  readonly slug: string;
  /** `pending`, `claimed` or `consumed`. */
  readonly state: string;
  /** When it was written, ISO 8601 to the millisecond. */
  readonly createdAt: string;
  readonly body: string;
  /** Its front matter: `agent`, `sessionId`, `tags`, `project`… */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Options of {@link storedHandoffs}. */
export interface StoredHandoffsOptions {
  /** The environment of the temp HOME whose `~/.claude/handoffs` is read. */
  readonly env: Record<string, string>;
  /** Any folder; listing is not scoped to a project. Default: the temp HOME. */
  readonly cwd?: string;
  /** Consumed handoffs too (`list --all`). Default: only pending and claimed ones. */
  readonly all?: boolean;
}

/**
 * Every handoff in the temp HOME's store, oldest first, read through the real CLI (`list --json`,
 * then `show NAME --json` for each): what a test asserts about the store is what a user sees.
 * Fails the test when either command fails.
 */
export async function storedHandoffs(options: StoredHandoffsOptions): Promise<StoredHandoff[]> {
  const { env, cwd } = options;
  const listed = await handoffs(['list', '--json', ...(options.all ? ['--all'] : [])], { env, cwd });
  if (listed.code !== 0) throw new Error(`handoffs list failed (${listed.code}): ${listed.stderr}`);
  const refs = JSON.parse(listed.stdout) as Array<{ name: string }>;
  const found: StoredHandoff[] = [];
  for (const ref of refs) {
    const shown = await handoffs(['show', ref.name, '--json'], { env, cwd });
    if (shown.code !== 0) throw new Error(`handoffs show ${ref.name} failed (${shown.code}): ${shown.stderr}`);
    found.push(JSON.parse(shown.stdout) as StoredHandoff);
  }
  return found;
}

/** The tags of a stored handoff's front matter (none when it has none). */
export function tagsOf(handoff: StoredHandoff): string[] {
  const tags = handoff.meta.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/**
 * The words the merged context puts in a handoff's header to say who wrote it (issue 11, item 4):
 * `from Codex, session 0199a2b3…`, a session id longer than 12 characters cut to its first 8.
 */
export function originWords(agentLabel: string, sessionId: string): string {
  return `from ${agentLabel}, session ${sessionId.length > 12 ? `${sessionId.slice(0, 8)}…` : sessionId}`;
}
