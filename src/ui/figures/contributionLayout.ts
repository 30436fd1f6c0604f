import { scaleLinear } from 'd3';

/** One token's logit split: w·h = principal + rest (runtime/analyses.ts contributions). */
export interface ContributionValues {
  principal: number;
  rest: number;
  total: number;
}

/** A bar from zero to a value, in plot pixels: `x` its left edge, whatever the value's sign. */
export interface Bar {
  x: number;
  width: number;
}

export interface ContributionLayout {
  /** Plot pixels of the value 0. */
  zero: number;
  /** Pixels per logit unit (the same for every bar of the chart). */
  scale: number;
  /** Axis ticks: a value and its pixel. */
  ticks: { value: number; x: number }[];
  rows: { pc1: Bar; rest: Bar; total: number }[];
}

/**
 * A diverging layout for the contribution chart, the page's and the exported figure's alike. Each part is
 * drawn from zero on its own side (a negative part to the left), not stacked: a PC1 part of 4.37 and a rest
 * of −1.82 read as such, and the total (the logit, 2.55) is a mark of its own. The domain is symmetric, so
 * zero sits mid-plot and bars of both signs compare at one scale.
 */
export function contributionLayout(rows: readonly ContributionValues[], plotWidth: number): ContributionLayout {
  const extent = Math.max(1e-9, ...rows.flatMap((r) => [Math.abs(r.principal), Math.abs(r.rest), Math.abs(r.total)]));
  const x = scaleLinear().domain([-extent, extent]).range([0, plotWidth]).nice();
  const zero = x(0);
  const bar = (value: number): Bar => ({ x: Math.min(zero, x(value)), width: Math.abs(x(value) - zero) });
  return {
    zero,
    scale: (x(1) - x(0)) / 1,
    ticks: x.ticks(6).map((value) => ({ value, x: x(value) })),
    rows: rows.map((r) => ({ pc1: bar(r.principal), rest: bar(r.rest), total: x(r.total) })),
  };
}

/** "4.37 + −1.82 = 2.55": a row's values, as the chart prints them beside the bars. */
export const contributionValues = (r: ContributionValues) => `${r.principal.toFixed(2)} + ${r.rest.toFixed(2)} = ${r.total.toFixed(2)}`;
