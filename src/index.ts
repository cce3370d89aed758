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
  ReleaseResult,
  FailedClaim,
  FailedHandoff,
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
export { parseHookInput, detectHookAgent, readHookSession, sessionStartOutput, HOOK_AGENTS } from './hooks/session.js';
export type { HookAgent, HookInput, HookSession } from './hooks/session.js';
export { sessionStartHook, SESSION_ENV } from './hooks/start.js';
export type { SessionStartHookOptions, SessionStartHookResult } from './hooks/start.js';
export { sessionEndHook, preCompactHook } from './hooks/end.js';
export type { SessionEndHookOptions, SessionEndResult } from './hooks/end.js';
export { describeOrigin, AGENT_LABELS } from './handoff/origin.js';
export { planInit, applyInit } from './agents/init.js';
export type { InitOptions } from './agents/init.js';
export { AGENT_NAMES } from './agents/types.js';
export type { AgentName, Scope, SetupOptions, FileChange, AgentPlan, InitPlan } from './agents/types.js';
export { InitError } from './agents/errors.js';
export type { InitErrorCode } from './agents/errors.js';
export { applyChanges, inspectTarget } from './agents/files.js';
export type { ApplyOptions, ApplyResult, TargetFile } from './agents/files.js';
export { detectAgents } from './agents/detect.js';
export type { DetectedAgent } from './agents/detect.js';
export { instructionsBlock, BLOCK_BEGIN, BLOCK_END } from './agents/markdown-block.js';
export { HOOK_MARKER } from './agents/hook-command.js';
export { trustCodexHooks } from './agents/codex-trust.js';
export type { CodexTrustOptions, CodexTrustResult } from './agents/codex-trust.js';
export { OPENCODE_PLUGIN_MODULE, OPENCODE_PLUGIN_EXPORT } from './agents/opencode.js';
export type { OpenClaudeOptions, TopicInfo, RepairResult } from './memory/memory-index.js';
export { CLAUDE_INDEX_LIMITS, missingFields } from './memory/lint.js';
export type { TopicFrontMatterInfo } from './memory/lint.js';
export { MEMORY_TYPES, isMemoryType, parseTopic, setTopicFrontMatter, topicName } from './memory/front-matter.js';
export type { MemoryType, TopicFrontMatter, ParsedTopic, TopicFields } from './memory/front-matter.js';
export { planRepair, defaultSection, RECOVERED_SECTION } from './memory/repair.js';
export type { RepairPlan, RepairTopic, RestoredLine, RemovedLine } from './memory/repair.js';
export {
  claudeMemoryDir,
  claudeProjectName,
  claudeProjectRoot,
  claudeConfigDir,
  defaultClaudeMemoryDir,
  CLAUDE_PROJECT_NAME_MAX,
} from './claude/memory-location.js';
export type { ClaudeMemoryLocation, ClaudeDirOptions, ClaudeEnv } from './claude/memory-location.js';
export { readTranscript, parseTranscript, DEFAULT_MAX_BYTES } from './traces/read.js';
export type { ReadTranscriptOptions } from './traces/read.js';
export { renderTrace, TRACE_BUDGET } from './traces/render.js';
export type { RenderTraceOptions } from './traces/render.js';
export { TRACE_AGENTS, transcriptFormat } from './traces/formats.js';
export { detectTranscriptFormat } from './traces/formats.js';
export { claudeFormat } from './traces/claude.js';
export { codexFormat } from './traces/codex.js';
export { geminiFormat } from './traces/gemini.js';
export { copilotFormat } from './traces/copilot.js';
export { copilotEventsPath } from './traces/copilot-events.js';
export type { CopilotEventsPathOptions } from './traces/copilot-events.js';
export type { TranscriptLayout } from './traces/types.js';
export { TraceError } from './traces/errors.js';
export type { TraceErrorCode } from './traces/errors.js';
export { MAX_COMMANDS } from './traces/types.js';
export type {
  SessionTrace,
  TraceFacts,
  TraceCounts,
  TraceIssue,
  TraceIssueCode,
  WorkDone,
  ChangedFile,
  ChangeKind,
  CommandRun,
  CommandStatus,
  TodoItem,
  TodoStatus,
  TranscriptFormat,
  TranscriptParser,
  LineResult,
} from './traces/types.js';
export { postgresStore } from './backends/postgres/backend.js';
export type { PostgresStore } from './backends/postgres/backend.js';
export type { PostgresStoreOptions } from './backends/postgres/options.js';
export { gitStore } from './backends/git/open.js';
export type { GitStore, GitStoreOptions } from './backends/git/open.js';
export type { SyncResult } from './backends/git/backend.js';
