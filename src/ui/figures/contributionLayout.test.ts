import { describe, expect, it } from 'vitest';
import { contributionLayout, contributionValues } from './contributionLayout';

describe('contributionLayout', () => {
  // The example: a base token whose PC1 part and rest have opposite signs.
  const rows = [
    { principal: 4.37, rest: -1.82, total: 2.55 },
    { principal: -0.5, rest: 3, total: 2.5 },
  ];
  const layout = contributionLayout(rows, 300);

  it('draws each part from zero on its own side, at one scale', () => {
    const [first, second] = layout.rows;
    expect(first.pc1.x).toBeCloseTo(layout.zero);
    expect(first.pc1.width).toBeCloseTo(4.37 * layout.scale);
    expect(first.rest.x + first.rest.width).toBeCloseTo(layout.zero); // negative: ends at zero
    expect(first.rest.width).toBeCloseTo(1.82 * layout.scale);
    expect(second.pc1.x + second.pc1.width).toBeCloseTo(layout.zero);
    expect(second.rest.x).toBeCloseTo(layout.zero);
  });

  it('marks the total where the logit lies', () => {
    expect(layout.rows[0].total).toBeCloseTo(layout.zero + 2.55 * layout.scale);
  });

  it('keeps every bar and tick inside the plot, zero among the ticks', () => {
    for (const r of layout.rows) for (const b of [r.pc1, r.rest]) expect(b.x + b.width).toBeLessThanOrEqual(300 + 1e-9);
    expect(layout.ticks.some((t) => t.value === 0 && Math.abs(t.x - layout.zero) < 1e-9)).toBe(true);
    expect(Math.min(...layout.ticks.map((t) => t.x))).toBeGreaterThanOrEqual(0);
  });

  it('prints the values', () => {
    expect(contributionValues(rows[0])).toBe('4.37 + -1.82 = 2.55');
  });
});
