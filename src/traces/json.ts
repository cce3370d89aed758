/** Narrowing helpers for transcript lines, whose fields may hold anything. */

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

/** The line parsed as a JSON object, or `undefined` (not JSON, or JSON that is not an object). */
export function parseObject(text: string): Json | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isObject(value) ? value : undefined;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or `undefined`. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A whole number, or `undefined`. */
export function integerOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** The objects of an array (anything else is skipped), or `[]`. */
export function objectsOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** A JSON string holding an object (tool arguments as some agents record them), parsed; else `{}`. */
export function argumentsOf(value: unknown): Json {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return {};
  return parseObject(value) ?? {};
}
