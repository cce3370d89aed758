import { describe, expect, it } from 'vitest';
import { TraceBuilder } from '../../src/traces/builder.js';
import { patchChanges, resolvePath, shellPatch } from '../../src/traces/patch.js';

describe('patchChanges: the files an apply_patch patch names', () => {
  it('reads Add, Update, Delete and Move in the patch’s order', () => {
    const patch = [
      '*** Begin Patch',
      '*** Add File: src/new.ts',
      '+export {};',
      '*** Update File: src/old.ts',
      '*** Move to: src/renamed.ts',
      '@@',
      '-a',
      '+b',
      '*** Delete File: notes.txt',
      '*** Update File: README.md',
      '@@ intro',
      ' text',
      '+more',
      '*** End of File',
      '*** End Patch',
    ].join('\n');
    expect(patchChanges(patch)).toEqual([
      { path: 'src/new.ts', kind: 'created' },
      { path: 'src/old.ts', kind: 'deleted' },
      { path: 'src/renamed.ts', kind: 'created' },
      { path: 'notes.txt', kind: 'deleted' },
      { path: 'README.md', kind: 'edited' },
    ]);
  });

  it('ignores header-like lines after the end of the patch, reads CRLF patches, and is undefined without a patch', () => {
    expect(patchChanges('*** Begin Patch\r\n*** Add File: a.txt\r\n+a\r\n*** End Patch\r\n*** Add File: not-in-the-patch.txt\n')).toEqual([{ path: 'a.txt', kind: 'created' }]);
    expect(patchChanges('*** Add File: a.txt')).toBeUndefined();
    // A file whose added lines look like headers is still one file: they start with `+`.
    expect(patchChanges('*** Begin Patch\n*** Add File: doc.md\n+*** Delete File: x\n*** End Patch')).toEqual([{ path: 'doc.md', kind: 'created' }]);
  });
});

describe('shellPatch: a patch handed to apply_patch by a shell command', () => {
  it('reads a heredoc or a quoted argument, only when the command runs apply_patch', () => {
    expect(shellPatch("apply_patch <<'PATCH'\n*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch\nPATCH")).toEqual([{ path: 'a.txt', kind: 'created' }]);
    expect(shellPatch('cd src && apply_patch "*** Begin Patch\n*** Delete File: b.txt\n*** End Patch"')).toEqual([{ path: 'b.txt', kind: 'deleted' }]);
    expect(shellPatch("cat > notes.md <<'EOF'\n*** Begin Patch\n*** Add File: a.txt\n*** End Patch\nEOF")).toBeUndefined();
    expect(shellPatch('echo apply_patch_helper')).toBeUndefined();
  });
});

describe('resolvePath', () => {
  it('joins a relative path to the working directory and leaves absolute ones', () => {
    expect(resolvePath('/work/app', 'src/a.ts')).toBe('/work/app/src/a.ts');
    expect(resolvePath('/work/app/', './src/a.ts')).toBe('/work/app/src/a.ts');
    expect(resolvePath('/work/app', '/etc/hosts')).toBe('/etc/hosts');
    expect(resolvePath(undefined, 'src/a.ts')).toBe('src/a.ts');
    expect(resolvePath('C:\\work\\app', 'src\\a.ts')).toBe('C:\\work\\app\\src\\a.ts');
    expect(resolvePath('C:\\work\\app', 'D:\\b.ts')).toBe('D:\\b.ts');
  });
});

describe('TraceBuilder.fileChanged: what the next session finds', () => {
  const kinds = (...changes: Array<[string, 'created' | 'edited' | 'deleted']>) => {
    const builder = new TraceBuilder();
    for (const [path, kind] of changes) builder.fileChanged(path, kind);
    return builder.facts().filesChanged.map((file) => `${file.path}:${file.kind}`);
  };

  it('keeps the first kind of a file created or edited again (as for Claude Code), in order of first change', () => {
    expect(kinds(['a', 'created'], ['b', 'edited'], ['a', 'edited'], ['b', 'created'])).toEqual(['a:created', 'b:edited']);
  });

  it('a deletion wins, and a file created again after it was edited', () => {
    expect(kinds(['a', 'created'], ['a', 'deleted'])).toEqual(['a:deleted']);
    expect(kinds(['a', 'edited'], ['b', 'edited'], ['a', 'deleted'])).toEqual(['a:deleted', 'b:edited']);
    expect(kinds(['a', 'deleted'], ['a', 'created'])).toEqual(['a:edited']);
    expect(kinds(['a', 'deleted'], ['a', 'created'], ['a', 'deleted'])).toEqual(['a:deleted']);
  });
});
