/** The coding agents `handoffs init` sets up. */
export type AgentName = 'claude' | 'codex' | 'gemini' | 'copilot' | 'opencode';

/** Every agent init knows, in the order `--agent all` sets them up. */
export const AGENT_NAMES: readonly AgentName[] = ['claude', 'codex', 'gemini', 'copilot', 'opencode'];

/** Where init writes: the user's own config (every project), or one repository's. */
export type Scope = 'user' | 'project';

/** Options shared by every agent's setup. */
export interface SetupOptions {
  /** How the hooks run the CLI, e.g. `handoffs` or `'/usr/bin/node' '/…/dist/cli.js'` (already shell-quoted). */
  command: string;
  /** A handoffs directory the hooks and the instructions pass as `--dir`; omit for the default. */
  handoffsDir?: string;
  /** A store URL the hooks and the instructions pass as `--store`; omit for none. */
  store?: string;
  /**
   * The agent's user-level config folder (e.g. `~/.claude`); default: the agent's own default,
   * honouring its environment variable (see each agent). Ignored with `project`.
   */
  configDir?: string;
  /** A repository root: write that repository's own config instead of the user's. */
  project?: string;
  /** Claude Code only: also run `memory repair --quiet` at session start. Default false. */
  repairMemory?: boolean;
  /** Remove what init added instead of adding it. Default false. */
  uninstall?: boolean;
  /**
   * OpenCode only: the module the plugin loader imports. Default `handoffs/opencode` (the package's
   * OpenCode entry, resolved from the plugin folder).
   */
  pluginImport?: string;
  /** The environment to read agents' folder variables from (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`, …). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The home folder. Default `os.homedir()`. */
  home?: string;
}

/** What one agent's setup reads: the options with its folders worked out. */
export interface AgentContext {
  readonly options: SetupOptions;
  readonly scope: Scope;
  /** The agent's user-level config folder, or for `project` scope the repository root. */
  readonly base: string;
  /** Staged edits: reads see earlier edits of this plan, writes are applied only by `applyInit`. */
  readonly files: StagedFiles;
  /** Adds a caveat of this agent for the user. */
  note(text: string): void;
  /** Adds a step the user must take before the agent runs the hooks (a trust prompt), when init cannot take it. */
  trustStep(text: string): void;
}

/** The files of a plan as an agent's setup sees them (see `Workspace`). */
export interface StagedFiles {
  /** The text `path` has in this plan (undefined: no file). Symbolic links are followed. */
  read(path: string): Promise<string | undefined>;
  /** Stages new text for `path`; `dirMode` is for folders that must be created. */
  write(path: string, text: string, options?: { dirMode?: number }): Promise<void>;
  /** Stages the removal of a file init created; a link is kept and its target left holding `emptyText`. */
  remove(path: string, emptyText: string): Promise<void>;
}

/** One agent's setup: which files hold its hooks and instructions, and how to edit them. */
export interface Agent {
  readonly name: AgentName;
  /** The agent's product name, for messages. */
  readonly title: string;
  /** The executable that shows the agent is installed. */
  readonly binary: string;
  /** Its user-level config folder when none is given. */
  defaultConfigDir(env: NodeJS.ProcessEnv, home: string): string;
  /** Stages this agent's edits (or, with `uninstall`, their removal) into `context.files`. */
  plan(context: AgentContext): Promise<void>;
}

/** One file init creates, changes or removes. */
export interface FileChange {
  /** The path as the agent names it (it may be a symbolic link). */
  path: string;
  /** Where the bytes go: `path` with every symbolic link resolved. */
  realPath: string;
  /** `unchanged` when the file already says what init would write; `delete` only on uninstall of a file init created. */
  action: 'create' | 'update' | 'delete' | 'unchanged';
  /** The text now (undefined when the file does not exist). */
  before: string | undefined;
  /** The text after (undefined when the file is removed). */
  after: string | undefined;
  /** Mode of folders created for it: 0o700 for a user's private config folder, else 0o755. */
  dirMode?: number;
}

/** One agent's part of a plan. */
export interface AgentPlan {
  agent: AgentName;
  scope: Scope;
  /** Paths this agent's setup touches (each appears once in {@link InitPlan.changes}). */
  paths: string[];
  /** Steps the user must take before the agent runs init's hooks (trusting a folder or the hooks). */
  trust: string[];
  /** Caveats of this agent. */
  notes: string[];
}

/** Everything one `init` (or `init --uninstall`) would do. */
export interface InitPlan {
  agents: AgentPlan[];
  /** One entry per file, in the order they were first touched. */
  changes: FileChange[];
}
