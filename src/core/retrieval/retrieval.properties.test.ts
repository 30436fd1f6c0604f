import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mrrAt, ndcgAt, recallAt } from './evaluation';
import { alignedTop, documentVector, queryTerms, WEIGHT_SCHEMES } from './representation';
import { SparseIndex } from './sparseIndex';

const V = 40;
const logits = fc.array(fc.float({ min: -8, max: 8, noNaN: true, noDefaultInfinity: true }), { minLength: V, maxLength: V });
const scheme = fc.constantFrom(...WEIGHT_SCHEMES);

describe('sparse retrieval properties', () => {
  it('the inverted index scores what a brute-force sum over each document vector gives', () => {
    fc.assert(
      fc.property(
        fc.array(logits, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: V - 1 }), { maxLength: 10 }),
        fc.integer({ min: 1, max: 20 }),
        scheme,
        (rows, query, k, s) => {
          const vectors = rows.map((z) => documentVector(alignedTop(Float32Array.from(z), V, V), k, s));
          const terms = queryTerms(query).ids;
          const { scores, matched } = SparseIndex.build(vectors).score(terms);
          for (const [doc, v] of vectors.entries()) {
            let want = 0;
            let hit = false;
            for (const [i, id] of v.ids.entries()) {
              if (terms.includes(id)) {
                want += v.weights[i];
                hit = true;
              }
            }
            expect(scores[doc]).toBeCloseTo(want, 4);
            expect(matched[doc] === 1).toBe(hit);
          }
        },
      ),
    );
  });

  it('a document vector is the top of z: at most K entries, weights ordered like the logits', () => {
    fc.assert(
      fc.property(logits, fc.integer({ min: 1, max: V }), scheme, (z, k, s) => {
        const top = alignedTop(Float32Array.from(z), V, V);
        const v = documentVector(top, k, s);
        expect(v.ids.length).toBeLessThanOrEqual(k);
        const kept = new Set(Array.from(top.ids.subarray(0, k)));
        for (const id of v.ids) expect(kept.has(id)).toBe(true);
        for (let i = 1; i < v.weights.length; i++) expect(v.weights[i]).toBeLessThanOrEqual(v.weights[i - 1] + 1e-6);
        if (s !== 'logit') for (const w of v.weights) expect(w).toBeGreaterThan(0);
        if (s === 'softmax') expect(v.weights.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-5);
      }),
    );
  });

  it('query terms: unique, the literal tokens first, then at most M expansion tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 })), fc.uniqueArray(fc.integer({ min: 0, max: 30 })), fc.nat(10), (literal, expansion, m) => {
        const t = queryTerms(literal, expansion, m);
        expect(new Set(t.ids).size).toBe(t.ids.length);
        const unique = [...new Set(literal)];
        expect(t.ids.slice(0, unique.length)).toEqual(unique);
        expect(t.ids.length - unique.length).toBeLessThanOrEqual(m);
        for (const [i, id] of t.ids.entries()) {
          const fromExpansion = expansion.slice(0, m).includes(id);
          expect(t.source[i]).toBe(i < unique.length ? (fromExpansion ? 'both' : 'literal') : 'expansion');
        }
      }),
    );
  });

  it('metrics lie in [0, 1]; the ideal ranking scores 1; recall grows with depth', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 60 }),
        fc.dictionary(fc.integer({ min: 0, max: 60 }).map(String), fc.integer({ min: 0, max: 3 }), { minKeys: 1 }),
        (order, judged) => {
          const ranked = order.map(String);
          const rel = new Map(Object.entries(judged));
          for (const value of [ndcgAt(ranked, rel, 10), mrrAt(ranked, rel, 10), recallAt(ranked, rel, 100)]) {
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(1 + 1e-12);
          }
          expect(recallAt(ranked, rel, 5)).toBeLessThanOrEqual(recallAt(ranked, rel, 50));
          const ideal = [...rel]
            .filter(([, r]) => r > 0)
            .sort((a, b) => b[1] - a[1])
            .map(([d]) => d);
          if (ideal.length > 0) {
            expect(ndcgAt(ideal, rel, 10)).toBeCloseTo(1, 12);
            expect(mrrAt(ideal, rel, 10)).toBe(1);
          }
        },
      ),
    );
  });
});
