import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HandoffError,
  HandoffStore,
  memoryFs,
  compareHandoffNames,
  formatHandoffName,
  formatStamp,
  mergeHandoffs,
  normalizeSlug,
  parseHandoffName,
  parseIndex,
} from '../../src/index.js';
import { sortHandoffNames } from '../../src/handoff/name.js';
import { upsertEntry } from '../../src/memory/parse.js';

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) };

/** Strings meant to break names: unicode, traversal, NUL and control characters, Windows names, long runs. */
const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('../', '..', '/etc/passwd', 'a\0b', 'CON', 'nul', 'COM1', 'x_done', '_done.md', '.', '\r\n', '\u202e'),
  fc.string({ maxLength: 10 }).map((seed) => seed.repeat(1000) + 'a'.repeat(10_000)),
  fc.array(fc.constantFrom('a', '-', '_', '.', '/', '\\', ' ', 'É', '0'), { maxLength: 50 }).map((parts) => parts.join('')),
);

const instant = fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true });

describe('properties of bodies', () => {
  // Bodies that look like front matter, or like the end of one, or nothing at all.
  const body = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.array(fc.constantFrom('---', '\n', '\r\n', 'project: /x', 'created: "2020-01-01T00:00:00Z"', 'a: b', ' ', '…', '\u0000', '---\n'), { maxLength: 20 }).map((parts) => parts.join('')),
  );

  it('any text body reads back byte for byte, whatever it begins with, and never scopes the handoff', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.option(fc.constantFrom('/work/a', '/work/b'), { nil: undefined }), async (text, project) => {
        const store = new HandoffStore({ dir: '/h', fs: memoryFs(), durable: false, onWarning: () => {} });
        const { name } = await store.write({ slug: 'b', body: text, meta: project === undefined ? undefined : { project } });
        const read = await store.read(name);
        const claimed = await store.consume({ project: '/work/a' });
        const delivered = project === undefined || project === '/work/a';
        return read.body === text && read.meta.project === project && claimed.handoffs.length === (delivered ? 1 : 0) && (!delivered || claimed.handoffs[0]!.body === text);
      }),
      { numRuns: Math.min(RUNS.numRuns, 300) },
    );
  });
});

describe('properties of names', () => {
  it('any slug input gives a valid name inside the directory, or INVALID_SLUG', () => {
    fc.assert(
      fc.property(hostileString, instant, (input, when) => {
        let slug: string;
        try {
          slug = normalizeSlug(input);
        } catch (error) {
          return error instanceof HandoffError && error.code === 'INVALID_SLUG';
        }
        const name = formatHandoffName(formatStamp(when, 'utc'), slug);
        const parsed = parseHandoffName(name);
        return (
          /^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug) &&
          slug.length <= 64 &&
          parsed !== undefined &&
          !parsed.done &&
          parsed.slug === slug &&
          dirname(join('/handoffs', name)) === '/handoffs'
        );
      }),
      RUNS,
    );
  });

  it('format and parse round-trip for any time, slug, collision number and form', () => {
    const slug = fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}$/);
    fc.assert(
      fc.property(instant, slug, fc.integer({ min: 1, max: 99_999 }), fc.boolean(), (when, base, collision, done) => {
        const stamp = formatStamp(when, 'utc');
        const name = formatHandoffName(stamp, base, { collision, done });
        const parsed = parseHandoffName(name)!;
        return (
          parsed.stamp === stamp &&
          parsed.done === done &&
          parsed.slug === (collision > 1 ? `${base}-${collision}` : base) &&
          (done ? parsed.doneName : parsed.pendingName) === name
        );
      }),
      RUNS,
    );
  });

  it('the keyed sort orders names exactly as compareHandoffNames does', () => {
    const name = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('fix', 'fix-a', 'docs', 'a'), fc.integer({ min: 1, max: 12 }), fc.boolean())
      .map(([second, slug, collision, done]) => formatHandoffName(`2026-02-27_14302${second}`, slug, { collision, done }));
    fc.assert(
      fc.property(fc.array(name, { maxLength: 40 }), (names) => {
        const parsed = names.map((value) => parseHandoffName(value)!);
        const reference = [...parsed].sort(compareHandoffNames).map((entry) => entry.name);
        return JSON.stringify(sortHandoffNames(parsed).map((entry) => entry.name)) === JSON.stringify(reference);
      }),
      RUNS,
    );
  });

  it('merge order is chronological for any set of times, same-second collisions included', () => {
    const entry = fc.record({
      second: fc.integer({ min: 0, max: 5 }),
      slug: fc.constantFrom('fix', 'docs', 'a'),
      collision: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => `${e.second}/${e.slug}/${e.collision}`, maxLength: 30 }), (entries) => {
        const items = entries.map((e) => ({
          name: formatHandoffName(formatStamp(new Date(Date.UTC(2026, 1, 27, 14, 30, e.second)), 'utc'), e.slug, { collision: e.collision }),
          body: `${e.second}/${e.slug}/${e.collision}`,
        }));
        const merged = mergeHandoffs([...items].reverse());
        const order = [...merged.matchAll(/^## \S+ \d\d:\d\d:(\d\d) [+-]\d\d:\d\d · ([a-z]+)(?:-(\d+))?$/gm)].map((m) => [
          Number(m[1]),
          m[2]!,
          Number(m[3] ?? 1),
        ]);
        const sorted = [...order].sort(
          (a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1])) || (a[2] as number) - (b[2] as number),
        );
        return order.length === entries.length && JSON.stringify(order) === JSON.stringify(sorted);
      }),
      RUNS,
    );
  });
});

describe('properties of the memory index', () => {
  const markdownish = fc
    .array(fc.constantFrom('a', 'b', ' ', '*', '_', '`', '\\', '[', ']', '(', ')', '<', '>', '&', 'amp;', '!', '#', '~', '|', '—', '-', ':', 'é'), {
      minLength: 1,
      maxLength: 30,
    })
    .map((parts) => parts.join(''));
  const line = fc
    .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), markdownish)
    .filter((text) => !/[\r\n]/.test(text) && text.trim() === text && text !== '');
  const topic = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
  const prose = fc.array(fc.constantFrom('Some prose.', '', '<!-- note -->', '> quoted', '   indented text', '***', '[ref]: elsewhere.md'), { maxLength: 4 });

  it('parse and render round-trip byte for byte on any generated index, and every entry reads back', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ section: fc.constantFrom('Identity', 'Ops', 'Work notes'), topic, title: line, summary: line }), {
          selector: (entry) => entry.topic,
          maxLength: 25,
        }),
        prose,
        (entries, noise) => {
          let text = noise.length > 0 ? `# Memory\n\n${noise.join('\n')}\n` : '';
          for (const entry of entries) text = upsertEntry(parseIndex(text), { ...entry, file: `${entry.topic}.md` });
          const parsed = parseIndex(text);
          const model = parsed.entries.map((e) => ({ section: e.section, file: e.file, title: e.title, summary: e.summary }));
          const expected = entries.map((e) => ({ section: e.section, file: `${e.topic}.md`, title: e.title, summary: e.summary }));
          const bySection = (list: typeof model) => [...list].sort((a, b) => a.file.localeCompare(b.file));
          return parsed.text === text && JSON.stringify(bySection(model)) === JSON.stringify(bySection(expected));
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

it('fast-check finds a broken normaliser (the property test has teeth)', () => {
  const broken = (input: string) => input.toLowerCase().replace(/\s+/g, '-');
  expect(() =>
    fc.assert(fc.property(hostileString, (input) => /^[a-z0-9-]*$/.test(broken(input))), { numRuns: 200 }),
  ).toThrow();
});
