import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeLmHead, project } from './lmHead';
import { POOLINGS, pool } from './pooling';
import { adjust, dot, topComponents } from './spectral';
import { shiftScores, topK } from './topk';

const floats = (n: number) => fc.array(fc.float({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n });

describe('core properties', () => {
  it('top-k equals the first k of a full sort', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 0, max: 40 }), (scores, k) => {
        const full = scores.map((s, id) => ({ s: Math.fround(s), id })).sort((a, b) => b.s - a.s || a.id - b.id);
        expect(Array.from(topK(Float32Array.from(scores), k).ids)).toEqual(full.slice(0, k).map((e) => e.id));
      }),
    );
  });

  it('W(h + λu) = Wh + λWu within float tolerance', () => {
    const rows = 23;
    const cols = 9;
    fc.assert(
      fc.property(floats(rows * cols), floats(cols), floats(cols), fc.float({ min: -20, max: 20, noNaN: true }), (w, h, u, lambda) => {
        const head = makeLmHead(Float32Array.from(w), rows, cols, 'float32');
        const direct = project(head, adjust(h, u, lambda));
        const shifted = shiftScores(project(head, h), project(head, u), lambda);
        for (let i = 0; i < rows; i++) {
          const scale = 1 + Math.abs(direct[i]) + cols * 100 * (1 + Math.abs(lambda));
          expect(Math.abs(direct[i] - shifted[i])).toBeLessThan(1e-5 * scale);
        }
      }),
    );
  });

  it('pooling ignores padding, whatever is in the padded positions', () => {
    const dim = 4;
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }).filter((m) => m.some(Boolean)),
        fc.integer({ min: 0, max: 1000 }),
        (maskBools, seed) => {
          const mask = maskBools.map(Number);
          const hidden = Float32Array.from({ length: mask.length * dim }, (_, i) => Math.sin(seed + i));
          const noisy = hidden.map((x, i) => (mask[Math.floor(i / dim)] ? x : x + 1000 * Math.cos(i)));
          for (const method of POOLINGS) {
            const a = pool(hidden, mask, dim, method);
            const b = pool(noisy, mask, dim, method);
            for (let j = 0; j < dim; j++) expect(a[j]).toBeCloseTo(b[j], 5);
          }
        },
      ),
    );
  });

  it('singular vectors are orthonormal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 20 }), fc.integer({ min: 2, max: 8 }), fc.integer(), (n, d, seed) => {
        let state = seed >>> 0 || 1;
        const rand = () => {
          state = (state * 1664525 + 1013904223) >>> 0;
          return state / 2 ** 32 - 0.5;
        };
        const rows = Array.from({ length: n }, () => Array.from({ length: d }, rand));
        const { vectors } = topComponents(rows, Math.min(n, d));
        for (let a = 0; a < vectors.length; a++) {
          for (let b = 0; b < vectors.length; b++) {
            expect(dot(vectors[a], vectors[b])).toBeCloseTo(a === b ? 1 : 0, 6);
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});
