import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away HOME for one real client session, with the environment that points everything at it. */
export interface TempHome {
  /** The HOME folder. */
  readonly home: string;
  /**
   * An environment with HOME and the XDG folders inside `home`, PATH kept, and nothing else of the
   * caller's: no API key, no proxy, no real config can leak in.
   */
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

/** Makes a fresh HOME under the system temp folder; `extra` is merged into its environment. */
export async function tempHome(extra: Record<string, string> = {}): Promise<TempHome> {
  const home = await mkdtemp(join(tmpdir(), 'handoffs-e2e-home-'));
  const env: Record<string, string> = {
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    CI: 'true',
    ...extra,
  };
  return { home, env, dispose: () => rm(home, { recursive: true, force: true }) };
}
