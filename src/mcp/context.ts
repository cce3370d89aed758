import type { HandoffStore } from '../handoff/store.js';
import type { OpenClaims } from './claims.js';
import type { ProjectScope } from './project.js';
import type { Zod } from './sdk.js';

/** What every tool of one server works with. */
export interface ToolContext {
  /** The handoffs store (`--dir`). */
  store: HandoffStore;
  /** Claims held between `claim_handoffs` and their acknowledgement or release. */
  claims: OpenClaims;
  /** The SDK's zod, for input schemas. */
  z: Zod;
  /** The project to act for at this call (see `resolveProject`). */
  project(): Promise<ProjectScope>;
  /** The memory folder for a project. */
  memoryDir(project: ProjectScope): Promise<string>;
  /** The connected client's name and version, from its `initialize` request. */
  client(): { name: string; version: string } | undefined;
  /** Lease of claims, in ms. */
  leaseMs: number;
  /** Default line budget of the merged text of a claim. */
  maxLines: number;
}
