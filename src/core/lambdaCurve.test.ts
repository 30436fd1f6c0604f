import { describe, expect, it } from 'vitest';
import { lambdaCurve, lambdaGrid } from './lambdaCurve';

/** Top-k by a full sort, in float64 (the vectors below are exact in float32). */
const topBySort = (z: ArrayLike<number>, k: number) =>
  Array.from(z, (_, id) => id)
    .sort((a, b) => z[b] - z[a] || a - b)
    .slice(0, k);

describe('lambdaCurve', () => {
  const V = 400;
  const z0 = Float32Array.from({ length: V }, (_, i) => ((i * 37) % 101) / 8);
  const zu = Float32Array.from({ length: V }, (_, i) => ((i * 53) % 97) / 16 - 3);
  const zEmbed = Float32Array.from({ length: V }, (_, i) => ((i * 53) % 97) / 4);

  it('matches a ranking by full sort at every λ of the grid', () => {
    const contentIds = [5, 17, 96, 250];
    const lambdas = lambdaGrid(4, 8);
    expect(lambdas[0]).toBe(-4);
    expect(lambdas[8]).toBe(4);
    const points = lambdaCurve({ z0, zu, zEmbed, validRows: V, contentIds, k: 10 }, lambdas);
    const embedTop = new Set(topBySort(zEmbed, 10));
    for (const [i, lambda] of lambdas.entries()) {
      const shifted = Array.from(z0, (z, id) => z + lambda * zu[id]);
      const top = topBySort(Float32Array.from(shifted), 10);
      expect(points[i].lambda).toBe(lambda);
      expect(points[i].overlap).toBe(top.filter((id) => embedTop.has(id)).length / 10);
      expect(points[i].contentHit).toBe(top.some((id) => contentIds.includes(id)) ? 1 : 0);
    }
    // Far along u₁ the base's ranking turns into the embedder's (zEmbed ∝ zu + 3 here, up to ties).
    const far = lambdaCurve({ z0, zu, zEmbed, validRows: V, contentIds, k: 10 }, [-400, 400]);
    expect(far[1].overlap).toBeGreaterThanOrEqual(0.5);
    expect(far[0].overlap).toBe(0);
  });

  it('has no content Hit@k for a text without content tokens', () => {
    const [point] = lambdaCurve({ z0, zu, zEmbed, validRows: V, contentIds: [], k: 5 }, [0]);
    expect(point.contentHit).toBeNull();
  });
});
