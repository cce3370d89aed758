import type { ServerResponse } from 'node:http';
import { type ModelScript, type ModelReply, isToolReply, pickReply } from './model-script.js';
import { type ModelServer, type RecordedRequest, sendEvents, startModelServer } from './model-server.js';

/**
 * A scripted model that speaks the Gemini API as Gemini CLI uses it with an API key and
 * `GOOGLE_GEMINI_BASE_URL`: `POST /v1beta/models/<model>:streamGenerateContent?alt=sse`, answered by
 * one server-sent event holding a `GenerateContentResponse`; `:generateContent` gets the same
 * response as one JSON body.
 */
export function startGeminiModel(script: ModelScript): Promise<ModelServer> {
  return startModelServer((request, response) => respond(script, request, response));
}

function respond(script: ModelScript, request: RecordedRequest, response: ServerResponse): void {
  const path = request.url.split('?')[0]!;
  const method = /:(streamGenerateContent|generateContent)$/.exec(path)?.[1];
  if (request.method !== 'POST' || method === undefined) {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 404, message: `not scripted: ${request.method} ${request.url}`, status: 'NOT_FOUND' } }));
    return;
  }
  const body = asRecord(request.json);
  const reply = pickReply(script, countGeminiToolResults(body), offersFunctions(body));
  const model = /models\/([^:/]+):/.exec(path)?.[1] ?? 'gemini';
  const chunk = geminiResponse(reply, model);
  if (method === 'generateContent') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(chunk));
    return;
  }
  sendEvents(response, [{ data: chunk }]);
}

/** The number of `functionResponse` parts in a Gemini request body. */
export function countGeminiToolResults(body: Record<string, unknown>): number {
  const contents = Array.isArray(body.contents) ? body.contents : [];
  let count = 0;
  for (const content of contents) {
    const parts = asRecord(content).parts;
    if (Array.isArray(parts)) count += parts.filter((part) => 'functionResponse' in asRecord(part)).length;
  }
  return count;
}

/** One `GenerateContentResponse` carrying the reply as a text or `functionCall` part. */
export function geminiResponse(reply: ModelReply, model: string): unknown {
  const part = isToolReply(reply)
    ? { functionCall: { name: reply.tool, args: typeof reply.input === 'string' ? { input: reply.input } : reply.input } }
    : { text: reply.text };
  return {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
    modelVersion: model,
  };
}

function offersFunctions(body: Record<string, unknown>): boolean {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return tools.some((tool) => {
    const declarations = asRecord(tool).functionDeclarations;
    return Array.isArray(declarations) && declarations.length > 0;
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
