import { describe, expect, it } from 'vitest';
import { parseFrontMatter, renderFrontMatter } from '../../src/index.js';

describe('front matter', () => {
  it('round-trips metadata through render and parse', () => {
    const meta = { project: '/home/me/repo', sessionId: 'abc-123', tags: ['auth', 'wip'], attempt: 2, draft: false };
    const text = renderFrontMatter(meta) + 'Body line\n';
    expect(parseFrontMatter(text)).toEqual({ meta, body: 'Body line\n' });
  });

  it('renders nothing for no or empty metadata, and drops undefined values', () => {
    expect(renderFrontMatter(undefined)).toBe('');
    expect(renderFrontMatter({})).toBe('');
    expect(renderFrontMatter({ branch: undefined })).toBe('');
  });

  it('keeps text without a front-matter block as body', () => {
    expect(parseFrontMatter('# Title\n---\nnot front matter\n')).toEqual({ meta: {}, body: '# Title\n---\nnot front matter\n' });
  });

  it('reads hand-written plain scalars and CRLF line ends', () => {
    expect(parseFrontMatter('---\r\nproject: /srv/app\r\nnote: it works: yes\r\n---\r\nbody')).toEqual({
      meta: { project: '/srv/app', note: 'it works: yes' },
      body: 'body',
    });
  });

  it('escapes newlines so a value cannot end the block early', () => {
    const text = renderFrontMatter({ branch: 'x\n---\ninjected: true' }) + 'body';
    expect(parseFrontMatter(text)).toEqual({ meta: { branch: 'x\n---\ninjected: true' }, body: 'body' });
  });

  it.each([
    [{ 'bad key': 'x' }],
    [{ nested: { a: 1 } }],
    [{ list: [1, 2] }],
    [{ nan: Number.NaN }],
  ])('rejects %j with INVALID_META', (meta) => {
    expect(() => renderFrontMatter(meta as never)).toThrowError(expect.objectContaining({ code: 'INVALID_META' }));
  });
});
