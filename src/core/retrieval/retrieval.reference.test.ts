import { describe, expect, it } from 'vitest';
import reference from './__fixtures__/reference.json';
import { evaluateRun, mrrAt, ndcgAt, type Qrels, recallAt } from './evaluation';
import { alignedTop, documentVector, queryTerms, type WeightScheme } from './representation';
import { SparseIndex } from './sparseIndex';

// Reference numbers come from tools/reference/retrieval_fixtures.py (numpy).

const near = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('ranking metrics match numpy (trec_eval definitions)', () => {
  const { queries, mean, evaluated } = reference.metrics;
  for (const q of queries) {
    it(`${q.id}: nDCG@10, MRR@10, Recall@100`, () => {
      const rel = new Map(Object.entries(q.qrels));
      near(ndcgAt(q.ranked, rel, 10), q.expected.ndcg10);
      near(mrrAt(q.ranked, rel, 10), q.expected.mrr10);
      near(recallAt(q.ranked, rel, 100), q.expected.recall100);
    });
  }
  it('means over the queries with a relevant document', () => {
    const qrels: Qrels = new Map(queries.map((q) => [q.id, new Map(Object.entries(q.qrels))]));
    const run = new Map(queries.map((q) => [q.id, q.ranked]));
    const m = evaluateRun(run, qrels);
    expect(m.queries).toBe(evaluated);
    near(m.ndcg10, mean.ndcg10);
    near(m.mrr10, mean.mrr10);
    near(m.recall100, mean.recall100);
  });
});

describe('sparse scoring matches numpy', () => {
  const s = reference.sparse;
  const rows = Array.from({ length: s.logSumExp.length }, (_, n) => Float32Array.from(s.z.slice(n * s.V, (n + 1) * s.V)));
  it('log-sum-exp of z', () => {
    for (const [n, z] of rows.entries()) near(alignedTop(z, s.V, s.K).logSumExp, s.logSumExp[n], 1e-6);
  });
  for (const [scheme, expected] of Object.entries(s.schemes)) {
    it(`${scheme}: document vectors and query scores`, () => {
      const vectors = rows.map((z) => documentVector(alignedTop(z, s.V, 64), s.K, scheme as WeightScheme));
      for (const [n, v] of vectors.entries()) {
        expect(Array.from(v.ids)).toEqual(expected.vectors[n].ids);
        for (const [i, w] of v.weights.entries()) near(w, expected.vectors[n].weights[i], 1e-5);
      }
      const index = SparseIndex.build(vectors);
      let r = 0;
      for (const q of s.queries) {
        const expansion = alignedTop(Float32Array.from(q.z), s.V, 64).ids;
        for (const m of [0, s.M]) {
          const want = expected.results[r++];
          expect(want.m).toBe(m);
          const terms = queryTerms(q.literal, expansion, m);
          expect(terms.ids).toEqual(want.terms);
          const { scores } = index.score(terms.ids);
          for (const [doc, score] of scores.entries()) near(score, want.scores[doc], 1e-5);
        }
      }
    });
  }
});
