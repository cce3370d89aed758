import type { ServerResponse } from 'node:http';
import { type ModelScript, type ModelReply, isToolReply, pickReply } from './model-script.js';
import { type ModelServer, type RecordedRequest, sendEvents, startModelServer } from './model-server.js';

/** Options of {@link startChatModel}. */
export interface ChatModelOptions {
  /** The model ids `GET /v1/models` lists. Default: `["gpt-4o"]`. */
  readonly models?: readonly string[];
}

/**
 * A scripted model that speaks OpenAI chat completions as Copilot CLI (provider type `openai`) and
 * OpenCode (`@ai-sdk/openai-compatible`) use it: `POST /v1/chat/completions`, streamed as
 * `chat.completion.chunk` events ending in `data: [DONE]` (or one JSON body when `stream` is false);
 * `GET /v1/models` lists `options.models`.
 */
export function startChatModel(script: ModelScript, options: ChatModelOptions = {}): Promise<ModelServer> {
  const models = options.models ?? ['gpt-4o'];
  return startModelServer((request, response) => respond(script, models, request, response));
}

function respond(script: ModelScript, models: readonly string[], request: RecordedRequest, response: ServerResponse): void {
  const path = request.url.split('?')[0]!;
  if (request.method === 'GET' && path.endsWith('/models')) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })) }));
    return;
  }
  if (request.method !== 'POST' || !path.endsWith('/chat/completions')) {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: `not scripted: ${request.method} ${request.url}`, type: 'invalid_request_error' } }));
    return;
  }
  const body = asRecord(request.json);
  const turn = countChatToolResults(body);
  const reply = pickReply(script, turn, Array.isArray(body.tools) && body.tools.length > 0);
  const id = `chatcmpl-${turn}-${Date.now()}`;
  const model = typeof body.model === 'string' ? body.model : (models[0] ?? 'scripted');
  if (body.stream === false) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(chatCompletion(reply, id, model)));
    return;
  }
  sendEvents(response, chatChunks(reply, id, model).map((data) => ({ data })));
}

/** The number of tool results (`role: "tool"` messages) in a chat completions request body. */
export function countChatToolResults(body: Record<string, unknown>): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.filter((message) => asRecord(message).role === 'tool').length;
}

/**
 * The streamed chunks for one reply, ending with a usage chunk and `[DONE]`. A tool reply with a
 * string input is sent as a freeform `custom` tool call, one with an object as a `function` call.
 */
export function chatChunks(reply: ModelReply, id: string, model: string): unknown[] {
  const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finishReason }] });
  const chunks: unknown[] = isToolReply(reply)
    ? [chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, ...toolCall(reply.tool, reply.input, id) }] }, null), chunk({}, 'tool_calls')]
    : [chunk({ role: 'assistant', content: reply.text }, null), chunk({}, 'stop')];
  chunks.push({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }, '[DONE]');
  return chunks;
}

/** The non-streamed body for one reply. */
export function chatCompletion(reply: ModelReply, id: string, model: string): unknown {
  const message = isToolReply(reply)
    ? { role: 'assistant', content: null, tool_calls: [toolCall(reply.tool, reply.input, id)] }
    : { role: 'assistant', content: reply.text };
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: isToolReply(reply) ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

function toolCall(name: string, input: Readonly<Record<string, unknown>> | string, id: string): Record<string, unknown> {
  const callId = `call_${id}`;
  if (typeof input === 'string') return { id: callId, type: 'custom', custom: { name, input } };
  return { id: callId, type: 'function', function: { name, arguments: JSON.stringify(input) } };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
