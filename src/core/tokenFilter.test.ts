import { describe, expect, it } from 'vitest';
import { filteredTop } from './tokenFilter';

/** The same by a full sort (score desc, id asc): an implementation that shares nothing with topK. */
function bySort(z: number[], k: number, isNoise: (id: number) => boolean) {
  const order = z.map((_, id) => id).sort((a, b) => z[b] - z[a] || a - b);
  const ids = order.filter((id) => !isNoise(id)).slice(0, k);
  const last = ids.length ? order.indexOf(ids[ids.length - 1]) : order.length;
  return { ids, hidden: order.slice(0, last + 1).filter(isNoise).length };
}

describe('filteredTop', () => {
  it('keeps the k best non-noise ids and counts the noise above the last one', () => {
    const z = Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
    const isNoise = (id: number) => id % 7 === 0;
    for (const k of [1, 10, 50]) {
      const got = filteredTop(Float32Array.from(z), z.length, k, isNoise);
      const want = bySort(Array.from(Float32Array.from(z)), k, isNoise);
      expect(got.ids).toEqual(want.ids);
      expect(got.hidden).toBe(want.hidden);
    }
  });

  it('reads deeper when the noise fills the first guess (every top score is a byte token)', () => {
    const z = new Float32Array(2000).map((_, i) => -i);
    const isNoise = (id: number) => id < 300; // the 300 best are noise
    const got = filteredTop(z, z.length, 10, isNoise);
    expect(got.ids).toEqual([300, 301, 302, 303, 304, 305, 306, 307, 308, 309]);
    expect(got.hidden).toBe(300);
  });

  it('returns what there is when the vocabulary runs out, and nothing hidden without noise', () => {
    const z = Float32Array.from([3, 1, 2]);
    expect(filteredTop(z, 3, 5, (id) => id === 0)).toEqual({ ids: [2, 1], scores: [2, 1], hidden: 1 });
    expect(filteredTop(z, 3, 2, () => false)).toEqual({ ids: [0, 2], scores: [3, 2], hidden: 0 });
  });
});
