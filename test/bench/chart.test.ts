import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM module of the benchmark runner
import { chart } from '../../bench/chart.mjs';

describe('benchmark chart', () => {
  it('draws one line per measured series on log axes, skipping what was not run', () => {
    const svg: string = chart([
      { n: 10, floor: 2, ours: 2.1, shell: 30 },
      { n: 1000, floor: 300, ours: 120, shell: 2400 },
      { n: 10000, floor: 2200, ours: 600, shell: undefined },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg.match(/<circle[^>]*fill="#cf222e"/g)).toHaveLength(2);
    for (const label of ['1 ms', '10000 ms', '10,000', 'consume()', 'seed shell pattern']) expect(svg).toContain(label);
  });
});
