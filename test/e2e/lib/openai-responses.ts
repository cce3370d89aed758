import type { ServerResponse } from 'node:http';
import { type ModelScript, type ModelReply, isToolReply, pickReply } from './model-script.js';
import { type ModelServer, type RecordedRequest, sendEvents, startModelServer } from './model-server.js';

/**
 * A scripted model that speaks the OpenAI Responses API as Codex uses it: `POST /v1/responses` with
 * `"stream": true`, answered by the server-sent events `response.created`,
 * `response.output_item.added`, `response.output_text.delta` (text only),
 * `response.output_item.done` and `response.completed`.
 */
export function startResponsesModel(script: ModelScript): Promise<ModelServer> {
  return startModelServer((request, response) => respond(script, request, response));
}

function respond(script: ModelScript, request: RecordedRequest, response: ServerResponse): void {
  if (request.method !== 'POST' || !request.url.split('?')[0]!.endsWith('/responses')) {
    notScripted(request, response);
    return;
  }
  const body = asRecord(request.json);
  const turn = countResponsesToolResults(body);
  const reply = pickReply(script, turn, Array.isArray(body.tools) && body.tools.length > 0);
  sendEvents(response, responsesEvents(reply, `resp_${turn}_${Date.now()}`));
}

/** The number of tool results (`function_call_output`, `custom_tool_call_output`) in a Responses request body. */
export function countResponsesToolResults(body: Record<string, unknown>): number {
  const input = Array.isArray(body.input) ? body.input : [];
  return input.filter((item) => {
    const type = asRecord(item).type;
    return type === 'function_call_output' || type === 'custom_tool_call_output';
  }).length;
}

/**
 * The event stream for one reply. A tool reply with an object input becomes a `function_call`
 * item, one with a string input a freeform `custom_tool_call` (Codex's `apply_patch`).
 */
export function responsesEvents(reply: ModelReply, responseId: string): Array<{ event: string; data: unknown }> {
  const item = outputItem(reply, responseId);
  const pending = 'content' in item ? { ...item, status: 'in_progress', content: [] } : item;
  const events: Array<{ event: string; data: unknown }> = [
    { event: 'response.created', data: { type: 'response.created', response: { id: responseId, object: 'response', status: 'in_progress', output: [] } } },
    { event: 'response.output_item.added', data: { type: 'response.output_item.added', output_index: 0, item: pending } },
  ];
  if (!isToolReply(reply)) {
    events.push({
      event: 'response.output_text.delta',
      data: { type: 'response.output_text.delta', item_id: item.id, output_index: 0, content_index: 0, delta: reply.text },
    });
  }
  events.push(
    { event: 'response.output_item.done', data: { type: 'response.output_item.done', output_index: 0, item } },
    {
      event: 'response.completed',
      data: {
        type: 'response.completed',
        response: {
          id: responseId,
          object: 'response',
          status: 'completed',
          output: [item],
          usage: {
            input_tokens: 10,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: 5,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 15,
          },
        },
      },
    },
  );
  return events;
}

type OutputItem = { id: string } & Record<string, unknown>;

function outputItem(reply: ModelReply, responseId: string): OutputItem {
  if (!isToolReply(reply)) {
    return {
      type: 'message',
      id: `msg_${responseId}`,
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: reply.text, annotations: [] }],
    };
  }
  const callId = `call_${responseId}`;
  if (typeof reply.input === 'string') {
    return { type: 'custom_tool_call', id: `ctc_${responseId}`, call_id: callId, name: reply.tool, input: reply.input, status: 'completed' };
  }
  return { type: 'function_call', id: `fc_${responseId}`, call_id: callId, name: reply.tool, arguments: JSON.stringify(reply.input), status: 'completed' };
}

function notScripted(request: RecordedRequest, response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { message: `not scripted: ${request.method} ${request.url}`, type: 'invalid_request_error' } }));
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
