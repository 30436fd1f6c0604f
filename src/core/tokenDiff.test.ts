import { describe, expect, it } from 'vitest';
import { applyFinalNorm } from './finalNorm';
import { moments, rankOf, tokenDiff } from './tokenDiff';

describe('tokenDiff (standardised score change, base → embedder)', () => {
  it('is the change of z-scores, risers largest first and fallers most negative first, with ranks', () => {
    const zBase = Float32Array.from([5, 4, 3, 2, 1, 0]);
    const zEmbed = Float32Array.from([0, 4, 3, 2, 1, 5]);
    const diff = tokenDiff(zEmbed, zBase, 6, 2);
    const b = moments(zBase, 6);
    const e = moments(zEmbed, 6);
    const expected = Array.from(zEmbed, (z, i) => (z - e.mean) / e.sd - (zBase[i] - b.mean) / b.sd);
    expect(diff.risers[0].id).toBe(5);
    expect(diff.risers[0].delta).toBeCloseTo(expected[5], 5);
    expect(diff.fallers[0].id).toBe(0);
    expect(diff.fallers[0].delta).toBeCloseTo(expected[0], 5);
    expect(diff.risers[0]).toMatchObject({ rankBase: 6, rankEmbed: 1 });
    expect(diff.fallers[0]).toMatchObject({ rankBase: 1, rankEmbed: 6 });
    for (const rows of [diff.risers, diff.fallers]) expect(rows).toHaveLength(2);
    expect(diff.risers[0].delta).toBeGreaterThanOrEqual(diff.risers[1].delta);
    expect(diff.fallers[0].delta).toBeLessThanOrEqual(diff.fallers[1].delta);
  });

  it('does not depend on the scale or offset of either model’s scores, and ignores rows past validRows', () => {
    const zBase = Float32Array.from([1, 3, 2, 7, 100]);
    const zEmbed = Float32Array.from([4, 1, 2, 0, -100]);
    const a = tokenDiff(zEmbed, zBase, 4, 4);
    const scaled = tokenDiff(
      zEmbed.map((z) => 3 * z + 10),
      zBase.map((z) => 0.5 * z - 2),
      4,
      4,
    );
    expect(scaled.risers.map((r) => r.id)).toEqual(a.risers.map((r) => r.id));
    for (const [i, r] of scaled.risers.entries()) expect(r.delta).toBeCloseTo(a.risers[i].delta, 4);
    expect(a.risers.map((r) => r.id)).not.toContain(4);
    expect(rankOf(zBase, 4, 3)).toBe(1);
  });
});

describe('tokenDiff with byte and special tokens excluded', () => {
  it('lists the next tokens in their place and counts the excluded ones that moved further', () => {
    const zBase = Float32Array.from([5, 4, 3, 2, 1, 0, 2.5]);
    const zEmbed = Float32Array.from([0, 4, 3, 2, 1, 5, 2.5]);
    const all = tokenDiff(zEmbed, zBase, 7, 2);
    const ranked = (rows: { id: number }[]) => rows.map((r) => r.id);
    const filtered = tokenDiff(zEmbed, zBase, 7, 2, undefined, [5, 0]);
    // The full diff's top riser and faller are the excluded ids; what follows them moves up.
    expect(ranked(all.risers)[0]).toBe(5);
    expect(ranked(all.fallers)[0]).toBe(0);
    expect(ranked(filtered.risers)).toEqual(
      ranked(tokenDiff(zEmbed, zBase, 7, 3).risers)
        .filter((id) => id !== 5)
        .slice(0, 2),
    );
    expect(ranked(filtered.fallers)).toEqual(
      ranked(tokenDiff(zEmbed, zBase, 7, 3).fallers)
        .filter((id) => id !== 0)
        .slice(0, 2),
    );
    expect(filtered.hidden).toEqual({ risers: 1, fallers: 1 });
    expect(all.hidden).toEqual({ risers: 0, fallers: 0 });
    // Deltas and ranks are unchanged by the exclusion (the standardisation is over the whole vocabulary).
    const riser = filtered.risers[0];
    expect(all.risers.find((r) => r.id === riser.id) ?? tokenDiff(zEmbed, zBase, 7, 7).risers.find((r) => r.id === riser.id)).toEqual(riser);
  });
});

describe('applyFinalNorm', () => {
  it('RMSNorm and LayerNorm per row, as their definitions say', () => {
    const x = Float32Array.from([1, 2, 3, 4, -1, 0, 1, 2]);
    const w = Float32Array.from([1, 2, 1, 0.5]);
    const rms = applyFinalNorm({ kind: 'rms', weight: w, eps: 1e-6 }, Float32Array.from(x), 4);
    const r0 = Math.sqrt((1 + 4 + 9 + 16) / 4 + 1e-6);
    expect(rms[1]).toBeCloseTo((2 / r0) * 2, 5);
    const ln = applyFinalNorm({ kind: 'layer', weight: w, bias: Float32Array.from([0, 0, 1, 0]), eps: 1e-5 }, Float32Array.from(x), 4);
    const sd = Math.sqrt(1.25 + 1e-5); // row 2: mean 0.5, variance 1.25
    expect(ln[6]).toBeCloseTo(((1 - 0.5) / sd) * 1 + 1, 5);
    expect(() => applyFinalNorm({ kind: 'rms', weight: w, eps: 0 }, new Float32Array(6), 3)).toThrow(/4 weights/);
  });
});

describe('ranksOf', () => {
  it('equals counting, ties broken by the lower id', async () => {
    const { ranksOf } = await import('./tokenDiff');
    let seed = 7;
    const next = () => {
      seed = (seed * 16807) % 2147483647;
      return seed;
    };
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + (next() % 200);
      const z = Float32Array.from({ length: n }, () => (next() % 13) - 6); // many ties
      const ids = Array.from({ length: 1 + (next() % 12) }, () => next() % n);
      const byCount = ids.map((id) => 1 + Array.from(z).filter((s, i) => s > z[id] || (s === z[id] && i < id)).length);
      expect(ranksOf(z, n, ids)).toEqual(byCount);
    }
  });
});
