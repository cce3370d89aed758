import { describe, expect, it } from 'vitest';
import { partIdAfter } from '../../src/opencode/part-id.js';

const FORM = /^prt_[0-9a-f]{12}[0-9A-Za-z]{14}$/;

describe('partIdAfter', () => {
  it("has the form of OpenCode's ascending part ids", () => {
    expect(partIdAfter([], new Date())).toMatch(FORM);
  });

  it('sorts after every part the message has, even one made later than the given clock', () => {
    // Two real ids OpenCode 1.18.33 made (one step apart), and a clock behind both.
    const existing = ['prt_214931eb5001t5mdLv9wEREYIa', 'prt_2149332e4001yrsX7I5KVuzMfl'];
    const id = partIdAfter(existing, new Date(0));
    expect(id).toMatch(FORM);
    expect(existing.every((other) => other < id)).toBe(true);
    expect(id.slice(0, 16)).toBe('prt_2149332e4002');
  });

  it('ignores ids of other forms, and follows the clock when it is ahead', () => {
    const now = new Date('2026-11-25T21:18:35.702Z');
    const id = partIdAfter(['prt_handoffs1', 'msg_x'], now);
    expect(id.slice(4, 16)).toBe(((BigInt(now.getTime()) * 4096n) & ((1n << 48n) - 1n)).toString(16).padStart(12, '0'));
  });
});
