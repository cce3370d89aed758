export { HandoffError, MemoryError } from './errors.js';
export type { HandoffErrorCode, MemoryErrorCode, LibraryErrorOptions } from './errors.js';
export type { FileSystem, DirEntry, EntryKind, FileInfo, CreateFileOptions } from './fs/types.js';
export { nodeFs } from './fs/node.js';
export { memoryFs } from './fs/memory.js';
export type { MemoryFileSystem } from './fs/memory.js';
export { HandoffStore } from './handoff/store.js';
export type {
  HandoffStoreOptions,
  HandoffRef,
  HandoffContent,
  ClaimedHandoff,
  ConsumedHandoff,
  WriteInput,
  ConsumeOptions,
  ConsumeResult,
  HandoffClaim,
  AcknowledgeResult,
  RestoreOptions,
  RestoreResult,
  SkippedHandoff,
  CleanupResult,
  StartResult,
} from './handoff/store.js';
export type {
  HandoffBackend,
  HandoffState,
  NewHandoff,
  StoredHandoff,
  ClaimHolder,
  ClaimRequest,
  ClaimedItem,
  ClaimOutcome,
  AcknowledgeOutcome,
  ReleaseOutcome,
  RestoreSelector,
  RestoreOutcome,
  PurgeOutcome,
} from './backends/types.js';
export type { Runtime } from './runtime.js';
export { encodeHandoff, decodeHandoff, formatInstant, parseInstant, instantOf } from './handoff/codec.js';
export {
  normalizeSlug,
  formatStamp,
  parseStamp,
  formatHandoffName,
  parseHandoffName,
  compareHandoffNames,
  MAX_SLUG_LENGTH,
  MAX_NAME_BYTES,
  DONE_SUFFIX,
} from './handoff/name.js';
export type { HandoffName, TimeZone } from './handoff/name.js';
export { mergeHandoffs } from './handoff/merge.js';
export type { MergeItem, MergeBudget } from './handoff/merge.js';
export { parseFrontMatter, renderFrontMatter } from './handoff/front-matter.js';
export type { HandoffMeta, MetaValue } from './handoff/front-matter.js';
export { MemoryIndex } from './memory/memory-index.js';
export type { MemoryIndexOptions, UpsertInput, SearchHit, SplitResult } from './memory/memory-index.js';
export type { MemoryEntry, MemorySection } from './memory/parse.js';
export { parseIndex } from './memory/parse.js';
export type { ParsedIndex } from './memory/parse.js';
export { lintIndex } from './memory/lint.js';
export type { LintCode, LintProblem, LintOptions } from './memory/lint.js';
export { planSplit } from './memory/split.js';
export type { SplitOptions, SplitPlan, SplitTopic } from './memory/split.js';
export { topicFile } from './memory/topic.js';
export type { LockOptions } from './memory/lock.js';
export { writeFileAtomic } from './fs/atomic.js';
export { detectProject } from './project.js';
export type { ProjectInfo } from './project.js';
export { parseHookInput, sessionStartHook, sessionEndHook, SESSION_ENV } from './claude/hooks.js';
export type { HookInput, SessionStartOutput, SessionStartHookOptions, SessionEndResult } from './claude/hooks.js';
export { planInit, applyInit, claudeMdBlock } from './claude/init.js';
export type { InitOptions, FileChange } from './claude/init.js';
export { gitStore } from './backends/git/open.js';
export type { GitStore, GitStoreOptions } from './backends/git/open.js';
export type { SyncResult } from './backends/git/backend.js';
