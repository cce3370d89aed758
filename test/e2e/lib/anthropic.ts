import type { ServerResponse } from 'node:http';
import { sendEvents, startModelServer, type ModelServer, type RecordedRequest } from './model-server.js';

/**
 * A scripted Anthropic Messages endpoint for Claude Code. Claude Code 2.1.197 pointed at it with
 * `ANTHROPIC_BASE_URL` sends `HEAD /` (a reachability probe) and then `POST /v1/messages?beta=true`
 * with `"stream": true`; each reply here is the SSE sequence the real API sends (message_start,
 * content_block_start / _delta / _stop per block, message_delta with the stop reason,
 * message_stop), so the client cannot tell it from the real thing. A reply holding `tool_use`
 * blocks stops with `tool_use`, and Claude Code runs the tools and sends their results in its next
 * request: that is how a script makes the real client run `handoffs write` through its Bash tool.
 */

/** One content block of a scripted assistant reply. */
export type ScriptedBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; name: string; input: Record<string, unknown>; id?: string };

/** One assistant reply: its blocks, in order. The stop reason follows from them. */
export interface ScriptedTurn {
  blocks: ScriptedBlock[];
}

/** A reply of one text block: the model's final answer, ending the turn. */
export function textTurn(text: string): ScriptedTurn {
  return { blocks: [{ type: 'text', text }] };
}

/** A reply that calls one tool, optionally after a sentence of text. */
export function toolTurn(name: string, input: Record<string, unknown>, text?: string): ScriptedTurn {
  const blocks: ScriptedBlock[] = text === undefined ? [] : [{ type: 'text', text }];
  blocks.push({ type: 'tool_use', name, input });
  return { blocks };
}

/** The parts of a Messages request body a script looks at; the rest is kept in `raw`. */
export interface MessagesRequest {
  model: string;
  stream: boolean;
  system: unknown;
  messages: Array<{ role: string; content: unknown }>;
  tools: Array<{ name: string }>;
  raw: Record<string, unknown>;
}

/**
 * Decides the reply to one Messages request. It may return a promise: a script that holds its
 * reply back (e.g. until several sessions reach the same turn) holds the client at that point.
 */
export type Script = (request: MessagesRequest, recorded: RecordedRequest) => ScriptedTurn | Promise<ScriptedTurn>;

/**
 * A script that plays `turns` in order within one conversation. The turn is the number of
 * assistant messages the request already carries, so it follows the conversation and not the
 * order requests arrive: a retried request gets the same reply, and many sessions can share one
 * script. Past the last turn it answers `done`.
 */
export function conversation(turns: readonly ScriptedTurn[]): Script {
  return (request) => turns[request.messages.filter((message) => message.role === 'assistant').length] ?? textTurn('done');
}

/** A Messages endpoint that records every request. */
export interface AnthropicServer extends ModelServer {
  /** The `POST /v1/messages` requests that Claude Code's main loop sent (the ones with tools). */
  messageRequests(): MessagesRequest[];
}

/**
 * Starts the scripted endpoint on 127.0.0.1. `POST /v1/messages` is answered by `script` (SSE when
 * the request streams, else one JSON message); `HEAD` and `GET` of any path answer 200 with an
 * empty JSON object and anything else 404, so a start-up probe never stalls the client.
 */
export async function startAnthropicServer(script: Script): Promise<AnthropicServer> {
  let counter = 0;
  const server = await startModelServer(async (recorded, response) => {
    const path = recorded.url.split('?')[0];
    if (recorded.method === 'POST' && path === '/v1/messages') {
      const request = parseMessagesRequest(recorded);
      counter += 1;
      const seed = `${process.pid}_${counter}`;
      reply(response, request, await script(request, recorded), seed);
      return;
    }
    if (recorded.method === 'POST' && path === '/v1/messages/count_tokens') {
      json(response, 200, { input_tokens: Math.ceil(recorded.body.length / 4) });
      return;
    }
    if (recorded.method === 'HEAD' || recorded.method === 'GET') {
      json(response, 200, {});
      return;
    }
    json(response, 404, { type: 'error', error: { type: 'not_found_error', message: `no scripted answer for ${recorded.method} ${path}` } });
  });
  return {
    ...server,
    close: () => server.close(),
    messageRequests: () =>
      server.requests
        .filter((request) => request.method === 'POST' && request.url.split('?')[0] === '/v1/messages')
        .map(parseMessagesRequest)
        .filter((request) => request.tools.length > 0),
  };
}

/** Reads the fields a script needs; a body that is not a Messages request is an error (answered 500). */
export function parseMessagesRequest(recorded: RecordedRequest): MessagesRequest {
  const body = recorded.json;
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { messages?: unknown }).messages)) {
    throw new Error(`not a Messages request: ${recorded.body.slice(0, 200)}`);
  }
  const raw = body as Record<string, unknown>;
  return {
    model: typeof raw.model === 'string' ? raw.model : 'claude-scripted',
    stream: raw.stream === true,
    system: raw.system,
    messages: raw.messages as MessagesRequest['messages'],
    tools: Array.isArray(raw.tools) ? (raw.tools as Array<{ name: string }>) : [],
    raw,
  };
}

/**
 * Every piece of text a request carries to the model, system prompt and messages, joined by
 * newlines: what a test searches for injected context. Tool definitions are left out (they are
 * the same in every request and would only add noise).
 */
export function requestText(request: MessagesRequest): string {
  const parts: string[] = [];
  collectText(request.system, parts);
  for (const message of request.messages) collectText(message.content, parts);
  return parts.join('\n');
}

/** How many times `needle` occurs in `haystack` (non-overlapping). */
export function occurrences(haystack: string, needle: string): number {
  if (needle === '') throw new Error('occurrences: empty needle');
  return haystack.split(needle).length - 1;
}

function collectText(value: unknown, parts: string[]): void {
  if (typeof value === 'string') {
    parts.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectText(item, parts);
  } else if (typeof value === 'object' && value !== null) {
    const block = value as { type?: unknown; text?: unknown; content?: unknown; input?: unknown };
    if (typeof block.text === 'string') parts.push(block.text);
    if (block.content !== undefined) collectText(block.content, parts);
    if (block.type === 'tool_use' && block.input !== undefined) parts.push(JSON.stringify(block.input));
  }
}

function reply(response: ServerResponse, request: MessagesRequest, turn: ScriptedTurn, seed: string): void {
  const blocks = turn.blocks.map((block, index) =>
    block.type === 'tool_use' ? { ...block, id: block.id ?? `toolu_scripted_${seed}_${index}` } : block,
  );
  const stopReason = blocks.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const usage = { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const id = `msg_scripted_${seed}`;
  if (!request.stream) {
    json(response, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content: blocks,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 5 },
    });
    return;
  }
  const events: Array<{ event: string; data: unknown }> = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { id, type: 'message', role: 'assistant', model: request.model, content: [], stop_reason: null, stop_sequence: null, usage },
      },
    },
  ];
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } } });
      events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } } });
    } else {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } },
      });
      events.push({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } },
      });
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  events.push({
    event: 'message_delta',
    data: { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 5 } },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  sendEvents(response, events);
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
