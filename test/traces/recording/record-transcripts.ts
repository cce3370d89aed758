/**
 * Records the transcripts of test/fixtures/transcripts/{codex,gemini,copilot}/ that the e2e suite
 * does not: failed commands and edits, moves and deletions, a second prompt, a compaction, and a
 * session whose model never answered. Each runs the pinned real client offline against a scripted
 * model on 127.0.0.1, in a temp HOME, then copies the file the client wrote (its own system prompt
 * replaced by a note of its length, as test/e2e/lib/fixtures.ts does).
 *
 * Not part of `npm test` or `npm run e2e` (it writes into the repository). Run it with
 *
 *     HANDOFFS_E2E_CACHE=/tmp/handoffs-e2e-cache npx esbuild test/traces/recording/record-transcripts.ts \
 *       --bundle --platform=node --format=esm --outfile=/tmp/record-transcripts.mjs \
 *       && node /tmp/record-transcripts.mjs [scenario…]
 *
 * from the repository root; with no scenario named it records them all. It fails loudly when a
 * client did not do what its script says (exit code, files on disk), so a fixture never records a
 * broken run.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import type { Installed } from '../../e2e/lib/cache.js';
import { codexBinary, installCodex, runCodex, writeCodexConfig } from '../../e2e/lib/codex.js';
import { copilotBinary, copilotPackageCache, installCopilot } from '../../e2e/lib/copilot.js';
import { removedText } from '../../e2e/lib/fixtures.js';
import { geminiResponse, startGeminiModel } from '../../e2e/lib/gemini.js';
import { geminiBinary, installGeminiCli, runGemini, writeGeminiSettings } from '../../e2e/lib/gemini-cli.js';
import { type TempHome, tempHome } from '../../e2e/lib/home.js';
import type { ModelReply, ModelScript } from '../../e2e/lib/model-script.js';
import { type ModelServer, type RecordedRequest, sendEvents, startModelServer } from '../../e2e/lib/model-server.js';
import { startChatModel } from '../../e2e/lib/openai-chat.js';
import { responsesEvents, startResponsesModel } from '../../e2e/lib/openai-responses.js';
import { makeRepo } from '../../e2e/lib/repo.js';
import { type ClientRun, runClient } from '../../e2e/lib/run-client.js';

type Ready = Extract<Installed, { ok: true }>;
type Json = Record<string, unknown>;

const FIXTURES = join('test', 'fixtures', 'transcripts');

/** One recorded session: its fixture path and what the run printed, for the log. */
interface Recorded {
  readonly fixture: string;
  readonly note: string;
}

interface Scenario {
  readonly name: string;
  readonly agent: 'codex' | 'gemini' | 'copilot';
  record(installed: Ready, home: TempHome): Promise<Recorded>;
}

function check(condition: boolean, message: string, run?: ClientRun): void {
  if (condition) return;
  throw new Error(`${message}${run ? `\nexit ${run.exitCode}\nstdout: ${run.stdout.slice(-2000)}\nstderr: ${run.stderr.slice(-2000)}` : ''}`);
}

/** A model endpoint that fails every request, by default with HTTP 500 as an overloaded provider does. */
function startFailingModel(status = 500, message = 'scripted failure: the model is unavailable'): Promise<ModelServer> {
  return startModelServer((_request: RecordedRequest, response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: status, message, status: status === 400 ? 'INVALID_ARGUMENT' : 'INTERNAL', type: status === 400 ? 'invalid_request_error' : 'server_error' } }));
  });
}

async function withServer<T>(server: Promise<ModelServer>, use: (server: ModelServer) => Promise<T>): Promise<T> {
  const started = await server;
  try {
    return await use(started);
  } finally {
    await started.close();
  }
}

// ---------------------------------------------------------------- Codex

function redactCodex(record: Json): Json {
  const payload = record.payload as { base_instructions?: { text?: string } } | undefined;
  if (record.type !== 'session_meta' || !payload?.base_instructions) return record;
  return { ...record, payload: { ...payload, base_instructions: { text: removedText("Codex's base instructions", payload.base_instructions.text) } } };
}

function redactCopilot(record: Json): Json {
  const data = record.data as { content?: string } | undefined;
  if (data === undefined) return record;
  if (record.type === 'system.message') return { ...record, data: { ...data, content: removedText("Copilot CLI's system prompt", data.content) } };
  // A compaction's request as sent (model.messages_snapshot, model.model_call_success): the system
  // prompt and Copilot's own compaction prompt go.
  const redacted: Json = { ...data };
  const redactMessages = (messages: Json[]) =>
    messages.map((message) => {
      if (message.role === 'system') return { ...message, content: removedText("Copilot CLI's system prompt", message.content) };
      if (typeof message.content === 'string' && message.content.startsWith('Please create a detailed summary of the conversation')) {
        return { ...message, content: removedText("Copilot CLI's compaction prompt", message.content) };
      }
      return message;
    });
  if (Array.isArray(redacted.messages)) redacted.messages = redactMessages(redacted.messages as Json[]);
  // model_call_success carries the request's messages as a JSON string.
  if (typeof redacted.requestMessages === 'string') redacted.requestMessages = JSON.stringify(redactMessages(JSON.parse(redacted.requestMessages) as Json[]));
  return { ...record, data: redacted };
}

async function saveJsonl(source: string, fixture: string, redact: (record: Json) => Json = (record) => record): Promise<void> {
  const lines = (await readFile(source, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const text = lines.map((line) => JSON.stringify(redact(JSON.parse(line) as Json))).join('\n');
  await mkdir(dirname(fixture), { recursive: true });
  await writeFile(fixture, `${text}\n`);
}

const codexScenarios: Scenario[] = [
  {
    name: 'codex-failures',
    agent: 'codex',
    async record(installed, home) {
      const repo = await makeRepo(home.home, 'project', { 'README.md': 'old\n', 'notes/old.txt': 'obsolete\n' });
      const patch = [
        '*** Begin Patch',
        '*** Add File: src/app.ts',
        '+export const app = 1;',
        '*** Update File: README.md',
        '*** Move to: docs/README.md',
        '@@',
        '-old',
        '+new',
        '*** Delete File: notes/old.txt',
        '*** End Patch',
        '',
      ].join('\n');
      const failing = ['*** Begin Patch', '*** Update File: missing.ts', '@@', '-a', '+b', '*** End Patch', ''].join('\n');
      const heredoc = "apply_patch <<'PATCH'\n*** Begin Patch\n*** Add File: src/extra.ts\n+export const extra = 2;\n*** End Patch\nPATCH";
      const script: ModelScript = {
        turns: [
          { tool: 'exec_command', input: { cmd: 'cat missing.txt' } },
          { tool: 'apply_patch', input: patch },
          { tool: 'apply_patch', input: failing },
          { tool: 'exec_command', input: { cmd: heredoc } },
          { text: 'Moved README.md to docs/, added src/app.ts, removed notes/old.txt. missing.txt does not exist.' },
        ],
      };
      return withServer(startResponsesModel(script), async (server) => {
        await writeCodexConfig(home.home, { modelUrl: server.url });
        const first = await runCodex({ installed, home, cwd: repo, prompt: 'Tidy the repository.', args: ['-s', 'workspace-write'] });
        check(first.exitCode === 0 && first.transcriptPath !== undefined, 'codex exec failed', first);
        check(existsSync(join(repo, 'docs', 'README.md')) && !existsSync(join(repo, 'notes', 'old.txt')), 'the patch was not applied', first);
        // A second prompt in the same session: `codex exec resume <id>` appends to the same rollout.
        const second = await runClient(codexBinary(installed), ['exec', '--skip-git-repo-check', '-s', 'workspace-write', 'resume', first.sessionId!, 'Check the docs folder.'], {
          cwd: repo,
          env: { ...home.env, OPENAI_API_KEY: 'dummy' },
        });
        check(second.exitCode === 0, 'codex exec resume failed', second);
        const fixture = join(FIXTURES, 'codex', 'failures.jsonl');
        await saveJsonl(first.transcriptPath!, fixture, redactCodex);
        return { fixture, note: `${server.requests.length} model requests` };
      });
    },
  },
  {
    name: 'codex-compacted',
    agent: 'codex',
    async record(installed, home) {
      const repo = await makeRepo(home.home);
      // Compaction drops the tool results from the history, so this model counts its own answers
      // instead: the compaction request (its last input is Codex's summary prompt) gets a summary.
      const turns: ModelReply[] = [{ tool: 'exec_command', input: { cmd: 'echo step 1' } }, { tool: 'exec_command', input: { cmd: 'echo step 2' } }, { text: 'Steps done.' }];
      let answered = 0;
      const responder = (request: RecordedRequest, response: ServerResponse) => {
        const input = ((request.json as Json | undefined)?.input ?? []) as Json[];
        const last = JSON.stringify(input.at(-1) ?? {});
        const compaction = last.includes('CONTEXT CHECKPOINT COMPACTION');
        const reply = compaction ? { text: 'Summary: ran step 1, step 2 is next.' } : turns[Math.min(answered++, turns.length - 1)]!;
        sendEvents(response, responsesEvents(reply, `resp_${answered}_${Date.now()}`));
      };
      return withServer(startModelServer(responder), async (server) => {
        const config = await writeCodexConfig(home.home, { modelUrl: server.url });
        // Compact as soon as the context holds more than a few tokens (the scripted usage is 15 per reply).
        await writeFile(config, `model_auto_compact_token_limit = 20\n${await readFile(config, 'utf8')}`);
        const run = await runCodex({ installed, home, cwd: repo, prompt: 'Run the steps.', args: ['-s', 'workspace-write'] });
        check(run.exitCode === 0 && run.transcriptPath !== undefined, 'codex exec failed', run);
        const fixture = join(FIXTURES, 'codex', 'compacted.jsonl');
        await saveJsonl(run.transcriptPath!, fixture, redactCodex);
        return { fixture, note: `${server.requests.length} model requests` };
      });
    },
  },
  {
    name: 'codex-no-reply',
    agent: 'codex',
    async record(installed, home) {
      const repo = await makeRepo(home.home);
      return withServer(startFailingModel(), async (server) => {
        await writeCodexConfig(home.home, { modelUrl: server.url });
        const run = await runCodex({ installed, home, cwd: repo, prompt: 'hello' });
        check(run.exitCode !== 0 && run.transcriptPath !== undefined, 'codex exec should fail against a failing model', run);
        const fixture = join(FIXTURES, 'codex', 'no-reply.jsonl');
        await saveJsonl(run.transcriptPath!, fixture, redactCodex);
        return { fixture, note: `exit ${run.exitCode}, ${server.requests.length} model requests` };
      });
    },
  },
];

// ---------------------------------------------------------------- Gemini CLI

const GEMINI_ARGS = ['--skip-trust', '--approval-mode', 'yolo'];

const geminiScenarios: Scenario[] = [
  {
    name: 'gemini-failures',
    agent: 'gemini',
    async record(installed, home) {
      const repo = await makeRepo(home.home, 'project', { 'notes.txt': 'draft\n', 'config.json': '{}\n' });
      const script: ModelScript = {
        turns: [
          {
            tool: 'write_todos',
            input: {
              todos: [
                { description: 'Finalize notes', status: 'in_progress' },
                { description: 'Drop the legacy config', status: 'cancelled' },
                { description: 'Write the docs', status: 'pending' },
              ],
            },
          },
          { tool: 'run_shell_command', input: { command: 'cat missing.txt', description: 'Read the missing file' } },
          { tool: 'replace', input: { file_path: join(repo, 'notes.txt'), old_string: 'draft', new_string: 'final', instruction: 'Mark the notes final.' } },
          { tool: 'write_file', input: { file_path: join(repo, 'config.json'), content: '{ "final": true }\n' } },
          { tool: 'replace', input: { file_path: join(repo, 'notes.txt'), old_string: 'not in the file', new_string: 'x', instruction: 'Change a line that is not there.' } },
          {
            tool: 'write_todos',
            input: {
              todos: [
                { description: 'Finalize notes', status: 'completed' },
                { description: 'Drop the legacy config', status: 'cancelled' },
                { description: 'Write the docs', status: 'pending' },
              ],
            },
          },
          { text: 'Notes are final and config.json rewritten; missing.txt does not exist. Next: write the docs.' },
        ],
      };
      return withServer(startGeminiModel(script), async (server) => {
        await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'));
        const first = await runGemini({ installed, home, cwd: repo, modelUrl: server.url, prompt: 'Finalize the notes and the config.', args: GEMINI_ARGS });
        check(first.exitCode === 0 && first.transcriptPath !== undefined, 'gemini failed', first);
        check((await readFile(join(repo, 'notes.txt'), 'utf8')) === 'final\n', 'the replace was not applied', first);
        // A second prompt in the same session: --resume appends to the same chat log.
        // (runGemini passes --session-id, which --resume does not take.)
        const second = await runClient(geminiBinary(installed), ['--resume', 'latest', '-m', 'gemini-2.5-flash', ...GEMINI_ARGS, '-p', 'Now write the docs.'], {
          cwd: repo,
          env: { ...home.env, GEMINI_API_KEY: 'dummy', GOOGLE_GEMINI_BASE_URL: server.url },
        });
        check(second.exitCode === 0, 'gemini --resume failed', second);
        const fixture = join(FIXTURES, 'gemini', 'failures.jsonl');
        await saveJsonl(first.transcriptPath!, fixture);
        return { fixture, note: `${server.requests.length} model requests` };
      });
    },
  },
  {
    name: 'gemini-compressed',
    agent: 'gemini',
    async record(installed, home) {
      const repo = await makeRepo(home.home);
      // Gemini compresses only up to a prompt of the user's, so the compression happens as a second
      // prompt resumes the session. The summary requests offer no tools; the others are answered in
      // order, whatever the compressed history still holds.
      const turns: ModelReply[] = [
        { tool: 'run_shell_command', input: { command: 'echo step 1', description: 'Step 1' } },
        { text: 'Step 1 done.' },
        { tool: 'run_shell_command', input: { command: 'echo step 2', description: 'Step 2' } },
        { text: 'Step 2 done.' },
      ];
      let answered = 0;
      const responder = (request: RecordedRequest, response: ServerResponse) => {
        const body = (request.json ?? {}) as Json;
        const tools = Array.isArray(body.tools) && body.tools.length > 0;
        const reply = tools ? turns[Math.min(answered++, turns.length - 1)]! : { text: '<state_snapshot>Ran step 1; step 2 is next.</state_snapshot>' };
        const answer = geminiResponse(reply, 'gemini-2.5-flash');
        if (request.url.includes(':streamGenerateContent')) {
          sendEvents(response, [{ data: answer }]);
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(answer));
        }
      };
      return withServer(startModelServer(responder), async (server) => {
        await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'));
        const first = await runGemini({ installed, home, cwd: repo, modelUrl: server.url, prompt: 'Run step 1.', args: GEMINI_ARGS });
        check(first.exitCode === 0 && first.transcriptPath !== undefined, 'gemini failed', first);
        // Compress whenever the context holds more than a token.
        await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'), { model: { compressionThreshold: 0.000001 } });
        const second = await runClient(geminiBinary(installed), ['--resume', 'latest', '-m', 'gemini-2.5-flash', ...GEMINI_ARGS, '-p', 'Run step 2.'], {
          cwd: repo,
          env: { ...home.env, GEMINI_API_KEY: 'dummy', GOOGLE_GEMINI_BASE_URL: server.url },
        });
        check(second.exitCode === 0, 'gemini --resume failed', second);
        const summaries = server.requests.filter((request) => !(Array.isArray((request.json as Json | undefined)?.tools) && ((request.json as Json).tools as unknown[]).length > 0));
        check(summaries.length > 0, 'no compression request was sent', second);
        const fixture = join(FIXTURES, 'gemini', 'compressed.jsonl');
        await saveJsonl(first.transcriptPath!, fixture);
        return { fixture, note: `${server.requests.length} model requests, ${summaries.length} without tools` };
      });
    },
  },
  {
    name: 'gemini-no-reply',
    agent: 'gemini',
    async record(installed, home) {
      const repo = await makeRepo(home.home);
      // A 400 (Gemini retries a 500 for minutes): the answer to an API key the service refuses.
      return withServer(startFailingModel(400, 'API key not valid. Please pass a valid API key.'), async (server) => {
        await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'));
        const run = await runGemini({ installed, home, cwd: repo, modelUrl: server.url, prompt: 'hello', args: GEMINI_ARGS });
        check(run.exitCode !== 0 && run.transcriptPath !== undefined, 'gemini should fail against a failing model', run);
        const fixture = join(FIXTURES, 'gemini', 'no-reply.jsonl');
        await saveJsonl(run.transcriptPath!, fixture);
        return { fixture, note: `exit ${run.exitCode}, ${server.requests.length} model requests` };
      });
    },
  },
];

// ---------------------------------------------------------------- Copilot CLI

/** Runs `copilot -p` with a model name of our choice (the tools Copilot offers depend on it) and, optionally, COPILOT_HOME. */
async function runCopilotAs(installed: Ready, home: TempHome, cwd: string, modelUrl: string, prompt: string, model: string, extraEnv: Record<string, string> = {}): Promise<ClientRun & { sessionId: string | undefined }> {
  const run = await runClient(copilotBinary(installed), ['--allow-all-tools', '-p', prompt], {
    cwd,
    env: {
      ...home.env,
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_BASE_URL: `${modelUrl}/v1`,
      COPILOT_PROVIDER_TYPE: 'openai',
      COPILOT_MODEL: model,
      COPILOT_AUTO_UPDATE: 'false',
      COPILOT_PKG_CACHE_HOME: copilotPackageCache(installed),
      ...extraEnv,
    },
  });
  return { ...run, sessionId: /--resume=([0-9a-f-]{36})/.exec(run.stdout + run.stderr)?.[1] };
}

const copilotScenarios: Scenario[] = [
  {
    name: 'copilot-edits',
    agent: 'copilot',
    async record(installed, home) {
      const repo = await makeRepo(home.home, 'project', { 'README.md': '# Project\n\nStatus: draft\n', 'src/index.ts': 'export {};\n' });
      const insert = "INSERT INTO todos (id, title, description, status) VALUES ('app', 'Create the app', 'src/app.ts', 'in_progress'), ('readme', 'Update the README', 'README.md', 'pending'), ('legacy', 'Drop the legacy code', '', 'pending');";
      const script: ModelScript = {
        turns: [
          { tool: 'sql', input: { description: 'Insert todos', query: insert } },
          { tool: 'create', input: { path: join(repo, 'src', 'app.ts'), file_text: 'export const app = 1;\n' } },
          { tool: 'edit', input: { path: join(repo, 'README.md'), old_str: 'Status: draft', new_str: 'Status: final' } },
          { tool: 'bash', input: { command: 'cat missing.txt', description: 'Read the missing file' } },
          { tool: 'edit', input: { path: join(repo, 'README.md'), old_str: 'not in the file', new_str: 'x' } },
          { tool: 'sql', input: { description: 'Update todos', query: "UPDATE todos SET status = 'done' WHERE id IN ('app', 'readme');" } },
          { tool: 'sql', input: { description: 'Delete a todo', query: "DELETE FROM todos WHERE id = 'legacy';" } },
          { tool: 'sql', input: { description: 'Add a todo', query: "INSERT INTO todos (id, title, status) VALUES ('tests', 'Write the tests', 'pending');" } },
          { text: 'Created src/app.ts and finalized the README; missing.txt does not exist. Next: write the tests.' },
        ],
      };
      return withServer(startChatModel(script, { models: ['claude-sonnet-4.5'] }), async (server) => {
        // COPILOT_HOME moves the session state too: the events land under it, not under ~/.copilot.
        const copilotHome = join(home.home, 'custom-copilot-home');
        const run = await runCopilotAs(installed, home, repo, server.url, 'Create the app and finalize the README.', 'claude-sonnet-4.5', { COPILOT_HOME: copilotHome });
        check(run.exitCode === 0 && run.sessionId !== undefined, 'copilot failed', run);
        const events = join(copilotHome, 'session-state', run.sessionId!, 'events.jsonl');
        check(existsSync(events), `no events.jsonl under COPILOT_HOME (${events})`, run);
        check(!existsSync(join(home.home, '.copilot', 'session-state', run.sessionId!)), 'session state also written under ~/.copilot', run);
        check((await readFile(join(repo, 'README.md'), 'utf8')).includes('Status: final') && existsSync(join(repo, 'src', 'app.ts')), 'the create or the edit was not applied', run);
        const fixture = join(FIXTURES, 'copilot', 'edits.jsonl');
        await saveJsonl(events, fixture, redactCopilot);
        return { fixture, note: `${server.requests.length} model requests; events under COPILOT_HOME: ${events}` };
      });
    },
  },
  {
    name: 'copilot-patch',
    agent: 'copilot',
    async record(installed, home) {
      const repo = await makeRepo(home.home, 'project', { 'notes/todo.txt': 'first line\n', 'notes/old.txt': 'obsolete\n' });
      const patch = ['*** Begin Patch', '*** Update File: notes/todo.txt', '@@', ' first line', '+second line', '*** Delete File: notes/old.txt', '*** Add File: notes/new.md', '+# New', '*** End Patch', ''].join('\n');
      const script: ModelScript = {
        turns: [
          { tool: 'apply_patch', input: patch },
          { tool: 'bash', input: { command: 'ls notes && exit 3', description: 'List notes, then fail' } },
          { text: 'Updated notes/todo.txt, removed notes/old.txt, added notes/new.md.' },
        ],
      };
      return withServer(startChatModel(script), async (server) => {
        const run = await runCopilotAs(installed, home, repo, server.url, 'Tidy the notes folder.', 'gpt-4o');
        check(run.exitCode === 0 && run.sessionId !== undefined, 'copilot failed', run);
        check(!existsSync(join(repo, 'notes', 'old.txt')), 'the patch was not applied', run);
        const events = join(home.home, '.copilot', 'session-state', run.sessionId!, 'events.jsonl');
        const fixture = join(FIXTURES, 'copilot', 'patch.jsonl');
        await saveJsonl(events, fixture, redactCopilot);
        return { fixture, note: `${server.requests.length} model requests` };
      });
    },
  },
  {
    name: 'copilot-compacted',
    agent: 'copilot',
    async record(installed, home) {
      const repo = await makeRepo(home.home);
      const script: ModelScript = {
        turns: [{ tool: 'bash', input: { command: 'echo step 1', description: 'Step 1' } }, { text: 'Step 1 done.' }],
        toollessText: 'Summary: ran step 1.',
      };
      return withServer(startChatModel(script), async (server) => {
        const first = await runCopilotAs(installed, home, repo, server.url, 'Run step 1.', 'gpt-4o');
        check(first.exitCode === 0 && first.sessionId !== undefined, 'copilot failed', first);
        // `/compact` as the prompt of a resumed session runs the slash command.
        const second = await runClient(copilotBinary(installed), ['--allow-all-tools', `--resume=${first.sessionId!}`, '-p', '/compact'], {
          cwd: repo,
          env: { ...home.env, COPILOT_OFFLINE: 'true', COPILOT_PROVIDER_BASE_URL: `${server.url}/v1`, COPILOT_PROVIDER_TYPE: 'openai', COPILOT_MODEL: 'gpt-4o', COPILOT_AUTO_UPDATE: 'false', COPILOT_PKG_CACHE_HOME: copilotPackageCache(installed) },
        });
        check(second.exitCode === 0, 'copilot --resume -p /compact failed', second);
        const events = join(home.home, '.copilot', 'session-state', first.sessionId!, 'events.jsonl');
        check((await readFile(events, 'utf8')).includes('session.compaction_complete'), 'no compaction recorded', second);
        const fixture = join(FIXTURES, 'copilot', 'compacted.jsonl');
        await saveJsonl(events, fixture, redactCopilot);
        return { fixture, note: `${server.requests.length} model requests` };
      });
    },
  },
  {
    name: 'copilot-no-reply',
    agent: 'copilot',
    async record(installed, home) {
      const repo = await makeRepo(home.home);
      return withServer(startFailingModel(), async (server) => {
        const run = await runCopilotAs(installed, home, repo, server.url, 'hello', 'gpt-4o');
        check(run.exitCode !== 0 && run.sessionId !== undefined, 'copilot should fail against a failing model', run);
        const events = join(home.home, '.copilot', 'session-state', run.sessionId!, 'events.jsonl');
        const fixture = join(FIXTURES, 'copilot', 'no-reply.jsonl');
        await saveJsonl(events, fixture, redactCopilot);
        return { fixture, note: `exit ${run.exitCode}, ${server.requests.length} model requests` };
      });
    },
  },
];

const SCENARIOS = [...codexScenarios, ...geminiScenarios, ...copilotScenarios];
const INSTALL = { codex: installCodex, gemini: installGeminiCli, copilot: installCopilot } as const;

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.map((scenario) => scenario.name).join(', ')})`);
for (const scenario of SCENARIOS.filter((entry) => wanted.length === 0 || wanted.includes(entry.name))) {
  const installed = await INSTALL[scenario.agent]();
  if (!installed.ok) throw new Error(installed.reason);
  const home = await tempHome();
  try {
    const { fixture, note } = await scenario.record(installed, home);
    console.log(`${scenario.name}: wrote ${fixture} (${note})`);
  } finally {
    await home.dispose();
  }
}
