import { describe, expect, it } from 'vitest';
import { ranHandoffsWrite } from '../../src/hooks/end.js';
import type { CommandRun, SessionTrace } from '../../src/traces/types.js';

const traceOf = (...commands: CommandRun[]) => ({ commands }) as unknown as SessionTrace;
const ok = (command: string): CommandRun => ({ command, status: 'ok', exitCode: 0 });

describe("ranHandoffsWrite: a session's own handoff, told from its transcript when its shell names no session", () => {
  it('finds a successful `handoffs write`, with options before and after, through a pipe or heredoc', () => {
    expect(ranHandoffsWrite(traceOf(ok("printf '%s\\n' 'done' | handoffs write --slug parser")), [])).toBe(true);
    expect(ranHandoffsWrite(traceOf(ok('handoffs --dir /tmp/h write --slug x <<EOF\nbody\nEOF')), [])).toBe(true);
    expect(ranHandoffsWrite(traceOf(ok('npx handoffs write --slug x --file notes.md')), [])).toBe(true);
    expect(ranHandoffsWrite(traceOf(ok('/usr/local/bin/handoffs write --slug x')), [])).toBe(true);
  });

  it('finds the CLI run by path, as the hooks run it when it is not on PATH', () => {
    const cli = '/opt/tools/handoffs-lib/dist/cli.js';
    expect(ranHandoffsWrite(traceOf(ok(`printf x | '/usr/bin/node' '${cli}' write --slug x`)), [cli])).toBe(true);
    expect(ranHandoffsWrite(traceOf(ok(`node ${cli} write --slug x`)), [cli])).toBe(true);
    expect(ranHandoffsWrite(traceOf(ok(`node ${cli} write --slug x`)), [])).toBe(false);
  });

  it('ignores failed writes, other commands, and a "write" beyond a command separator', () => {
    expect(ranHandoffsWrite(traceOf({ command: 'handoffs write --slug x', status: 'failed', exitCode: 2 }), [])).toBe(false);
    expect(ranHandoffsWrite(traceOf({ command: 'handoffs write --slug x', status: 'unknown' }), [])).toBe(false);
    expect(ranHandoffsWrite(traceOf(ok('handoffs list'), ok('handoffs show x.md')), [])).toBe(false);
    expect(ranHandoffsWrite(traceOf(ok('handoffs list && echo write')), [])).toBe(false);
    expect(ranHandoffsWrite(traceOf(ok('handoffs list; write x')), [])).toBe(false);
    expect(ranHandoffsWrite(traceOf(ok('ls ~/.claude/handoffs-old/ writes')), [])).toBe(false);
    expect(ranHandoffsWrite(traceOf(ok('myhandoffs write x')), [])).toBe(false);
    expect(ranHandoffsWrite(traceOf(), [])).toBe(false);
  });
});
