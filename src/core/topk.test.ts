import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shiftScores, topK } from './topk';

/** The definition: sort everything (score desc, id asc), NaN never ranked. */
function reference(scores: ArrayLike<number>, k: number, limit = scores.length) {
  const all = [];
  for (let id = 0; id < Math.min(limit, scores.length); id++) if (!Number.isNaN(scores[id])) all.push({ s: scores[id], id });
  all.sort((a, b) => (a.s === b.s ? a.id - b.id : b.s - a.s));
  return all.slice(0, Math.max(0, k));
}

const check = (scores: Float32Array, k: number, limit?: number) => {
  const got = topK(scores, k, limit);
  const want = reference(scores, k, limit);
  expect(Array.from(got.ids)).toEqual(want.map((e) => e.id));
  expect(Array.from(got.scores)).toEqual(want.map((e) => e.s));
};

describe('threshold top-k', () => {
  it('equals a full sort on long vectors with many ties, NaN and infinities (buffer refills)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer(),
        (n, k, levels, seed) => {
          let s = seed >>> 0 || 1;
          const rand = () => {
            s = (s * 1664525 + 1013904223) >>> 0;
            return s / 2 ** 32;
          };
          const special = [Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
          const scores = Float32Array.from({ length: n }, () => (rand() < 0.01 ? special[Math.floor(rand() * 3)] : Math.floor(rand() * levels) - levels / 2));
          check(scores, k, Math.floor(n * (0.5 + rand() / 2)));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('handles rising, falling and constant scores (worst cases for the threshold)', () => {
    const n = 50_000;
    check(
      Float32Array.from({ length: n }, (_, i) => i),
      100,
    );
    check(
      Float32Array.from({ length: n }, (_, i) => -i),
      100,
    );
    check(new Float32Array(n).fill(3), 40);
    check(new Float32Array(n).fill(Number.NEGATIVE_INFINITY), 5);
    check(new Float32Array(n).fill(Number.NaN), 5);
  });

  it('returns nothing for k ≤ 0 or an empty range, and everything for k ≥ n', () => {
    const scores = Float32Array.of(1, 5, 2);
    expect(topK(scores, 0).ids.length).toBe(0);
    expect(topK(scores, 3, 0).ids.length).toBe(0);
    expect(Array.from(topK(scores, 10).ids)).toEqual([1, 2, 0]);
  });

  it('shiftScores is z0 + λ zu', () => {
    expect(Array.from(shiftScores(Float32Array.of(1, 2), Float32Array.of(3, -1), 2))).toEqual([7, 0]);
  });
});
