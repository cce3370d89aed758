import { fileURLToPath } from 'node:url';
import { detectProject } from '../project.js';

/**
 * Which project an MCP server's tools act for. Handoffs are scoped to a project root (the git root
 * of a working directory, as `handoffs write` and `handoffs start` scope them), and an MCP server
 * is often started from a folder that says nothing about the project: desktop apps start it in
 * `/` or the home folder. So the project is, in order: the one named when the server was started
 * (`--project`), else the first folder the client reports as its root (`roots/list`, the open
 * workspace in editors that support it), else the server's working directory.
 */

/** The project tools act for, and where that came from. */
export interface ProjectScope {
  /** The project root: git work tree root, else the folder itself. */
  root: string;
  /** The checked-out branch, when there is one. */
  branch: string | undefined;
  /** `option` (--project), `client` (the client's first root), or `cwd`. */
  source: 'option' | 'client' | 'cwd';
}

/** Where {@link resolveProject} looks. */
export interface ProjectSources {
  /** The folder named when the server was started. */
  project?: string;
  /** The server's working directory. */
  cwd: string;
  /** The client's roots as URIs (`file:///…`), or `undefined` when the client has none to give. */
  clientRoots: () => Promise<readonly string[] | undefined>;
}

/** The project to act for now (the client's roots can change while the server runs). */
export async function resolveProject(sources: ProjectSources): Promise<ProjectScope> {
  if (sources.project !== undefined) return scope(sources.project, 'option');
  const roots = await sources.clientRoots().catch(() => undefined);
  const folder = roots?.map(fileFolder).find((path) => path !== undefined);
  if (folder !== undefined) return scope(folder, 'client');
  return scope(sources.cwd, 'cwd');
}

async function scope(folder: string, source: ProjectScope['source']): Promise<ProjectScope> {
  const { root, branch } = await detectProject(folder);
  return { root, branch, source };
}

/** The local path of a `file:` URI; `undefined` for any other scheme or a malformed URI. */
function fileFolder(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}
