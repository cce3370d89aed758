import type { ObjectFormat } from './objects.js';
import { runGit } from './run-git.js';

/**
 * Resolves the remote a `git:REMOTE` store names: a URL as given, or a remote of the user's
 * repository by name. The user's repository is only read (`git config --list`), never written.
 * Its repository-local settings that reaching the remote depends on are forwarded to the store's
 * own git (CI checkouts keep credentials there, e.g. `http.<url>.extraheader`); everything else
 * about the user's repository stays out of the store's git.
 */

/** A resolved remote. */
export interface ResolvedRemote {
  readonly fetchUrl: string;
  readonly pushUrl: string;
  /** For messages: `origin (https://host/path)`, without credentials. */
  readonly location: string;
  readonly config: ReadonlyArray<readonly [string, string]>;
  readonly format: ObjectFormat;
}

/** A remote that cannot be used, and the one line that says why. */
export interface UnresolvedRemote {
  readonly problem: string;
  readonly location: string;
}

/** Repository-local keys forwarded: what authentication, transport and URL rewriting read. */
const FORWARDED = /^(credential\.|http\.|url\.|ssh\.|protocol\.|core\.sshcommand$|core\.askpass$|core\.gitproxy$)/i;

/** Whether `remote` is a URL or path rather than the name of a remote. */
export function isUrl(remote: string): boolean {
  return remote.includes(':') || remote.includes('/') || remote.startsWith('.');
}

/** `url` without a user or password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/**
 * Resolves `remote` against the repository containing `cwd`.
 *
 * @throws GitNotFoundError when git cannot be run at all.
 */
export async function resolveRemote(options: { git: string; remote: string; cwd: string; timeoutMs: number }): Promise<ResolvedRemote | UnresolvedRemote> {
  const { git, remote, cwd, timeoutMs } = options;
  const outcome = await runGit({ git, args: ['config', '--list', '--null', '--show-scope'], cwd, timeoutMs });
  const entries = outcome.code === 0 ? parseConfigList(outcome.stdout.toString('utf8')) : [];
  const local = entries.filter((entry) => entry.scope === 'local' || entry.scope === 'worktree');
  const format: ObjectFormat = local.some((entry) => entry.key === 'extensions.objectformat' && entry.value === 'sha256') ? 'sha256' : 'sha1';
  const config = local.filter((entry) => FORWARDED.test(entry.key)).map((entry) => [entry.key, entry.value] as const);
  if (isUrl(remote)) return { fetchUrl: remote, pushUrl: remote, location: redactUrl(remote), config, format };
  if (local.length === 0) return { problem: `${cwd} is not in a git repository, so there is no remote '${remote}'`, location: remote };
  const value = (key: string) => local.find((entry) => entry.key.toLowerCase() === key.toLowerCase())?.value;
  const url = value(`remote.${remote}.url`);
  if (url === undefined) return { problem: `no remote '${remote}' in the repository at ${cwd} ('git remote -v' lists its remotes)`, location: remote };
  return { fetchUrl: url, pushUrl: value(`remote.${remote}.pushurl`) ?? url, location: `${remote} (${redactUrl(url)})`, config, format };
}

/** Entries of `git config --list --null --show-scope`: `<scope>\0<key>\n<value>\0`, or `<scope>\0<key>\0` for a bare key. */
export function parseConfigList(text: string): Array<{ scope: string; key: string; value: string }> {
  const fields = text.split('\0');
  const entries: Array<{ scope: string; key: string; value: string }> = [];
  for (let at = 0; at + 1 < fields.length; at += 2) {
    const scope = fields[at]!;
    const pair = fields[at + 1]!;
    const newline = pair.indexOf('\n');
    entries.push(newline < 0 ? { scope, key: pair, value: 'true' } : { scope, key: pair.slice(0, newline), value: pair.slice(newline + 1) });
  }
  return entries;
}
