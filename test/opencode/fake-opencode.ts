import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpencodeHooks, OpencodePart } from '../../src/opencode/index.js';

/**
 * Drives the plugin's hooks the way OpenCode 1.18.33 does (see src/opencode/types.ts and the e2e
 * suites): `event` is called without being awaited, `session.created` before the session's first
 * `chat.message`; a message is saved after `chat.message` returns (`message.updated`, then one
 * `message.part.updated` per part); each model request runs `chat.params` first.
 */

const CREATED = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'hook-input', 'opencode', 'session-created.json'), 'utf8')) as {
  type: string;
  properties: { sessionID: string; info: Record<string, unknown> };
};

let counter = 0;

/** An OpenCode-style id (`ses_…`, `msg_…`, `prt_…`) that sorts after the ones made before it. */
export function ascendingId(prefix: 'ses' | 'msg' | 'prt'): string {
  counter += 1;
  const time = ((BigInt(Date.now()) * 4096n + BigInt(counter)) & ((1n << 48n) - 1n)).toString(16).padStart(12, '0');
  return `${prefix}_${time}${'x'.repeat(14)}`;
}

/** What `sendMessage` did. */
export interface SentMessage {
  readonly messageId: string;
  /** The parts OpenCode would save, the plugin's included. */
  readonly parts: OpencodePart[];
}

/** A fake OpenCode host around one plugin instance. */
export class FakeOpencode {
  /** Rejections of `event` calls (OpenCode does not await them: each would be unhandled). */
  readonly eventRejections: unknown[] = [];

  constructor(readonly hooks: OpencodeHooks) {}

  /** Publishes a bus event the way OpenCode does: called, not awaited. */
  emit(type: string, properties: Record<string, unknown>): void {
    this.hooks.event({ event: { type, properties } }).catch((error: unknown) => this.eventRejections.push(error));
  }

  /** Creates a session in `directory` (a subagent's when `parentId` is given); returns its id. */
  createSession(directory: string, options: { parentId?: string; createdAt?: number } = {}): string {
    const id = ascendingId('ses');
    const created = options.createdAt ?? Date.now();
    const info = { ...CREATED.properties.info, id, directory, time: { created, updated: created }, ...(options.parentId ? { parentID: options.parentId } : {}) };
    this.emit('session.created', { sessionID: id, info });
    return id;
  }

  /**
   * The user sends `text`: `chat.message`, then (unless `save` is false) the message and its parts
   * are saved and announced, then (unless `request` is false) a model request starts.
   */
  async sendMessage(sessionId: string, text: string, options: { save?: boolean; request?: boolean } = {}): Promise<SentMessage> {
    const messageId = ascendingId('msg');
    const message = { id: messageId, sessionID: sessionId, role: 'user', time: { created: Date.now() }, agent: 'build' };
    const parts: OpencodePart[] = [{ id: ascendingId('prt'), sessionID: sessionId, messageID: messageId, type: 'text', text }];
    await this.hooks['chat.message']({ sessionID: sessionId }, { message, parts });
    if (options.save !== false) {
      this.emit('message.updated', { sessionID: sessionId, info: message });
      for (const part of parts) this.emit('message.part.updated', { sessionID: sessionId, part, time: Date.now() });
    }
    if (options.request !== false) await this.hooks['chat.params']({ sessionID: sessionId, agent: 'build' }, {});
    return { messageId, parts };
  }

  /** The model answers `parentId` with `text` (or fails with `error`); announced as OpenCode does. */
  reply(sessionId: string, parentId: string, reply: { text?: string; error?: string; files?: string[] }): void {
    const id = ascendingId('msg');
    const base = { id, parentID: parentId, role: 'assistant', sessionID: sessionId, modelID: 'model-a', providerID: 'scripted' };
    this.emit('message.updated', { sessionID: sessionId, info: { ...base, time: { created: Date.now() } } });
    if (reply.files) this.emit('message.part.updated', { sessionID: sessionId, part: { id: ascendingId('prt'), sessionID: sessionId, messageID: id, type: 'patch', hash: 'abc', files: reply.files } });
    if (reply.text !== undefined) this.emit('message.part.updated', { sessionID: sessionId, part: { id: ascendingId('prt'), sessionID: sessionId, messageID: id, type: 'text', text: reply.text } });
    const error = reply.error === undefined ? {} : { error: { name: 'APIError', data: { message: reply.error } } };
    this.emit('message.updated', { sessionID: sessionId, info: { ...base, ...error, finish: 'stop', time: { created: Date.now(), completed: Date.now() } } });
  }

  /** The session's loop stopped. */
  idle(sessionId: string): void {
    this.emit('session.status', { sessionID: sessionId, status: { type: 'idle' } });
    this.emit('session.idle', { sessionID: sessionId });
  }

  /** OpenCode shuts the instance down. */
  dispose(): Promise<void> {
    return this.hooks.dispose();
  }
}
