/**
 * Finds where a piece of text sits inside a request body a real client sent, so a test can say not
 * only that a hook's text reached the model but in which message, with which role, in which field.
 */

/** One place a needle was found. */
export interface TextLocation {
  /** JSON path of the string that contains the needle, e.g. `input[3].content[0].text`. */
  readonly path: string;
  /** The `role` of the nearest enclosing object that has one (`user`, `developer`, `system`…). */
  readonly role: string | undefined;
  /** The whole string the needle was found in. */
  readonly text: string;
}

/** Every string in `body` (any JSON value) that contains `needle`, with its path and role. */
export function locateText(body: unknown, needle: string): TextLocation[] {
  const found: TextLocation[] = [];
  walk(body, '', undefined, needle, found);
  return found;
}

function walk(value: unknown, path: string, role: string | undefined, needle: string, found: TextLocation[]): void {
  if (typeof value === 'string') {
    if (value.includes(needle)) found.push({ path, role, text: value });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, `${path}[${index}]`, role, needle, found));
    return;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const ownRole = typeof record.role === 'string' ? record.role : role;
    for (const [key, item] of Object.entries(record)) walk(item, path === '' ? key : `${path}.${key}`, ownRole, needle, found);
  }
}

/** The index in the top-level list (`input`, `messages`, `contents`) that a location's path starts with. */
export function topLevelIndex(location: TextLocation): number | undefined {
  const match = /^[a-zA-Z]+\[(\d+)\]/.exec(location.path);
  return match ? Number(match[1]) : undefined;
}
