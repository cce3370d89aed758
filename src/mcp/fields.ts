import type { Zod } from './sdk.js';

/**
 * Input fields of the tools, with the messages a model gets when it fills one wrongly. The SDK
 * validates each call against these before the tool runs and answers a failure as a tool error
 * ("Input validation error: … slug is required …"), so a bad call never reaches the stores.
 * Limits are generous bounds on what a model could sensibly send, not policy: names and paths
 * are judged by the stores' own grammars after this.
 */

/** Builds the field helpers on `z`. */
export function fields(z: Zod) {
  const kind = (input: unknown) => (input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input);
  const typed = (name: string, expected: string) => (issue: { input?: unknown }) =>
    issue.input === undefined ? `${name} is required` : `${name} must be ${expected}, got ${kind(issue.input)}`;
  const plain = (name: string, max: number) =>
    z
      .string({ error: typed(name, 'a string') })
      .min(1, { error: `${name} must not be empty` })
      .max(max, { error: `${name} is longer than ${max} characters` });
  const text = (name: string, description: string, max: number) => plain(name, max).describe(description);
  return {
    /** A non-empty string of at most `max` characters. */
    text,
    /** A whole number from 1 to `max`. */
    count: (name: string, description: string, max: number) =>
      z
        .number({ error: typed(name, 'a number') })
        .int({ error: `${name} must be a whole number` })
        .min(1, { error: `${name} must be at least 1` })
        .max(max, { error: `${name} must be at most ${max}` })
        .describe(description),
    /** A boolean. */
    flag: (name: string, description: string) => z.boolean({ error: typed(name, 'true or false') }).describe(description),
    /** A list of at most `maxItems` non-empty strings of at most `max` characters each. */
    texts: (name: string, description: string, maxItems: number, max: number) =>
      z
        .array(plain(`each of ${name}`, max), { error: typed(name, 'a list of strings') })
        .max(maxItems, { error: `${name} has more than ${maxItems} items` })
        .describe(description),
  };
}

/** The field builders, on the SDK's zod. */
export type Fields = ReturnType<typeof fields>;
