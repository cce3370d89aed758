import { posix } from 'node:path';
import { MemoryError } from '../errors.js';

/**
 * Topic names and index links, made safe: every path the memory store touches is built from a name
 * that passed here, so no name can reach outside the memory directory.
 */

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Turns a topic name (`identity`, `identity.md`, `infra/servers`) into its relative file path
 * (`identity.md`, `infra/servers.md`).
 *
 * @throws MemoryError `INVALID_TOPIC` for anything that is not a plain relative path of
 * `[A-Za-z0-9._-]` segments: `..`, absolute paths, backslashes, control characters, hidden names.
 */
export function topicFile(topic: unknown): string {
  if (typeof topic !== 'string' || topic === '') {
    throw new MemoryError('INVALID_TOPIC', `topic must be a non-empty string, got ${typeof topic}`);
  }
  const file = topic.endsWith('.md') ? topic : `${topic}.md`;
  const segments = file.split('/');
  if (file.length > 255 || !segments.every((segment) => SEGMENT.test(segment) && !/^\.+$/.test(segment))) {
    throw new MemoryError('INVALID_TOPIC', `topic ${JSON.stringify(topic.slice(0, 80))} is not a plain relative name`);
  }
  return file;
}

/** What an index link points at. */
export type LinkTarget =
  | { kind: 'external' }
  | { kind: 'escapes' }
  | { kind: 'topic'; file: string };

/** Classifies an index link: a URL, a path that leaves the memory directory, or a topic file. */
export function resolveLink(href: string): LinkTarget {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(href) && !/^[A-Za-z]:[\\/]/.test(href)) return { kind: 'external' };
  const path = href.replace(/[#?].*$/, '');
  if (path.includes('\\') || posix.isAbsolute(path) || /^[A-Za-z]:/.test(path)) return { kind: 'escapes' };
  const normal = posix.normalize(path);
  if (normal === '..' || normal.startsWith('../')) return { kind: 'escapes' };
  return { kind: 'topic', file: normal };
}
