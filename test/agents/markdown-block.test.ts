import { describe, expect, it } from 'vitest';
import { BLOCK_BEGIN, BLOCK_END, instructionsBlock, withBlock, withoutBlock } from '../../src/agents/markdown-block.js';

const block = instructionsBlock('handoffs write');

describe('the instructions block', () => {
  it('shows the write command it is given, between the markers', () => {
    const text = instructionsBlock("handoffs write --dir '/data/my handoffs'");
    expect(text.startsWith(BLOCK_BEGIN)).toBe(true);
    expect(text.endsWith(BLOCK_END)).toBe(true);
    expect(text).toContain(`handoffs write --dir '/data/my handoffs' --slug "short-topic" <<'EOF'`);
  });

  it('is the whole of a new or blank file', () => {
    expect(withBlock(undefined, block)).toBe(`${block}\n`);
    expect(withBlock('  \n', block)).toBe(`${block}\n`);
  });

  it('replaces an earlier block in place and keeps every byte around it', () => {
    const old = `# Rules\r\n\r\n${BLOCK_BEGIN}\nold text\n${BLOCK_END}\n\nMore rules.\n`;
    expect(withBlock(old, block)).toBe(`# Rules\r\n\r\n${block}\n\nMore rules.\n`);
  });

  it.each([
    ['ends with a newline', '# Mine\n\nBe brief.\n'],
    ['ends with a blank line', '# Mine\n\n'],
    ['has CRLF line endings', '# Mine\r\nBe brief.\r\n'],
  ])('appended to a file that %s, then removed, gives the file back byte for byte', (_name, text) => {
    const added = withBlock(text, block);
    expect(added.startsWith(text)).toBe(true);
    expect(added.match(/handoffs:begin/g)).toHaveLength(1);
    expect(withoutBlock(added)).toBe(text);
  });

  it('removes a block in the middle of a file with the line break after it', () => {
    const text = `before\n${block}\nafter\n`;
    expect(withoutBlock(text)).toBe('before\nafter\n');
  });

  it('leaves a file without a block (or with only a begin marker) as it is', () => {
    expect(withoutBlock('# Mine\n')).toBe('# Mine\n');
    expect(withoutBlock(`# Mine\n${BLOCK_BEGIN}\nno end\n`)).toBe(`# Mine\n${BLOCK_BEGIN}\nno end\n`);
    expect(withoutBlock(undefined)).toBeUndefined();
  });

  it('leaves an empty text when the file held only the block', () => {
    expect(withoutBlock(withBlock(undefined, block))).toBe('');
  });
});
