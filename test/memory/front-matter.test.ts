import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTopic, setTopicFrontMatter, topicName } from '../../src/index.js';

describe('parseTopic', () => {
  it('reads name, description and a top-level type, and the body after the blank line', () => {
    expect(parseTopic('---\nname: deploy\ndescription: How releases go out\ntype: project\n---\n\n# Deploy\n\nsteps\n')).toEqual({
      frontMatter: { name: 'deploy', description: 'How releases go out', type: 'project' },
      body: '# Deploy\n\nsteps\n',
      heading: 'Deploy',
    });
  });

  it('reads type nested under metadata (the form Claude Code 2.1.197 asks its model for); the nested one wins', () => {
    const text = '---\nname: tz\ndescription: user works in UTC\ntype: project\nmetadata:\n  type: user\n  origin: chat\n---\nfact\n';
    expect(parseTopic(text).frontMatter).toEqual({ name: 'tz', description: 'user works in UTC', type: 'user' });
  });

  it('reads quoted, multi-line and block scalars, CRLF, and ignores comments', () => {
    const text = [
      '---',
      `name: 'it''s'`,
      'description: "tabs\\tand \\"quotes\\" and \\u00e9"',
      'type: feedback # how to work',
      'other: |',
      '  kept out',
      '---',
      'body',
    ].join('\r\n');
    expect(parseTopic(text)).toEqual({
      frontMatter: { name: "it's", description: 'tabs\tand "quotes" and é', type: 'feedback' },
      body: 'body',
      heading: undefined,
    });
    expect(parseTopic('---\ndescription: >\n  folded over\n  two lines\nname: plain\n  continued\n---\n').frontMatter).toEqual({
      description: 'folded over two lines',
      name: 'plain continued',
    });
  });

  it('has no front matter without an opening and a closing fence', () => {
    expect(parseTopic('# Title\n\ntext\n')).toEqual({ frontMatter: undefined, body: '# Title\n\ntext\n', heading: 'Title' });
    expect(parseTopic('---\nname: never closed\n').frontMatter).toBeUndefined();
    expect(parseTopic('text\n---\nname: x\n---\n').frontMatter).toBeUndefined();
  });

  it('takes the first # heading outside code fences', () => {
    expect(parseTopic('```sh\n# not a heading\n```\n## Sub\n# Real one #\n').heading).toBe('Real one');
  });
});

describe('setTopicFrontMatter', () => {
  it('adds a block to a file without one, keeping the text after it', () => {
    expect(setTopicFrontMatter('# Deploy\n', { name: 'deploy', description: 'How', type: 'project' })).toBe(
      '---\nname: deploy\ndescription: How\ntype: project\n---\n\n# Deploy\n',
    );
  });

  it('rewrites only the lines whose value changes and adds missing fields before the closing fence', () => {
    const text = '---\r\nname: keep-me   \r\n# a comment\r\ndescription: >\r\n  old text\r\n  over lines\r\nextra: [1, 2]\r\n---\r\n\r\nbody\r\n';
    expect(setTopicFrontMatter(text, { name: 'keep-me', description: 'new: text', type: 'reference' })).toBe(
      '---\r\nname: keep-me   \r\n# a comment\r\ndescription: "new: text"\r\nextra: [1, 2]\r\ntype: reference\r\n---\r\n\r\nbody\r\n',
    );
  });

  it('updates a type nested under metadata where it is', () => {
    const text = '---\nname: a\ndescription: b\nmetadata:\n  origin: chat\n  type: user\n---\nx\n';
    expect(setTopicFrontMatter(text, { type: 'feedback' })).toBe(text.replace('  type: user', '  type: feedback'));
  });

  it('returns the very same text when nothing changes', () => {
    const text = '---\nname: "a"\ndescription: \'b\'\ntype: user\n---\nx';
    expect(setTopicFrontMatter(text, { name: 'a', description: 'b', type: 'user' })).toBe(text);
    expect(setTopicFrontMatter(text, {})).toBe(text);
  });

  it('any one-line description reads back as written', () => {
    fc.assert(
      fc.property(
        // Any UTF-16 unit, lone surrogates included (fast-check's own 'binary' unit is slow to start).
        fc
          .oneof(
            fc.string({ maxLength: 60, unit: fc.constantFrom(...' ab:#-"\'\\|>{}[]&*!%@`?,~\t'.split('')) }),
            fc.string({ maxLength: 60, unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
          )
          .filter((value) => !/[\r\n]/.test(value)),
        fc.constantFrom('', '# Body\n', '---\nname: n\n---\nbody\n'),
        (description, text) => {
          const written = setTopicFrontMatter(text, { description });
          return parseTopic(written).frontMatter?.description === description && setTopicFrontMatter(written, { description }) === written;
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('topicName', () => {
  it.each([
    ['deploy.md', 'deploy'],
    ['user_role.md', 'user_role'],
    ['Voice Rules.md', 'voice-rules'],
    ['infra/servers.md', 'infra-servers'],
    ['v2.3-notes.md', 'v2-3-notes'],
  ])('%s → %s', (file, name) => {
    expect(topicName(file)).toBe(name);
  });
});
