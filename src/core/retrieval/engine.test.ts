import { describe, expect, it } from 'vitest';
import { RetrievalEngine } from './engine';
import { syntheticCorpus } from './testData';

describe('retrieval engine', () => {
  const { docs, queries } = syntheticCorpus(7);

  it('returns three rankings; sparse results explain themselves with the query tokens they hold', () => {
    const engine = new RetrievalEngine('words');
    for (const d of docs) engine.add(d);
    engine.finish({ k: 16, scheme: 'relu' });
    const results = engine.search(queries[0], 3, 10);
    expect(results.dense).toHaveLength(10);
    expect(results.terms.ids.length).toBeGreaterThan(0);
    for (const hit of results.sparse) {
      expect(hit.matches.length).toBeGreaterThan(0);
      const sum = hit.matches.reduce((s, m) => s + m.weight, 0);
      expect(hit.score).toBeCloseTo(sum, 4);
      for (const m of hit.matches) expect(results.terms.ids).toContain(m.id);
    }
    for (let i = 1; i < results.sparse.length; i++) expect(results.sparse[i].score).toBeLessThanOrEqual(results.sparse[i - 1].score);
    for (const hit of results.bm25) expect(hit.matches.length).toBeGreaterThan(0);
  });

  it('a document used as its own query is found first by dense retrieval and evaluates to 1', () => {
    const engine = new RetrievalEngine('words');
    for (const d of docs) engine.add(d);
    engine.finish();
    const self = docs.slice(0, 5).map((d) => ({ ...d, id: `q-${d.id}` }));
    const qrels = new Map(self.map((q, i) => [q.id, new Map([[docs[i].id, 1]])]));
    const e = engine.evaluate(self, qrels, 0);
    expect(e.dense.ndcg10).toBeCloseTo(1, 6);
    expect(e.dense.mrr10).toBe(1);
    expect(e.queries).toBe(5);
    expect(e.sparse.nonZerosPerDoc).toBeLessThanOrEqual(64);
    expect(e.sparse.needsEncoder).toBe(false);
    expect(e.dense.queryWork).toBe(2 * docs.length * docs[0].embedding.length);
    expect(e.sparseOfDense).toBeCloseTo(e.sparse.ndcg10 / e.dense.ndcg10, 12);
  });

  it('changing K rebuilds only the sparse index; bad input fails clearly', () => {
    const engine = new RetrievalEngine('words');
    for (const d of docs) engine.add(d);
    engine.finish({ k: 8, scheme: 'logit' });
    expect(engine.sparseIndex.postingCount).toBe(8 * docs.length);
    engine.configure({ k: 32, scheme: 'logit' });
    expect(engine.sparseIndex.postingCount).toBe(32 * docs.length);
    expect(() => new RetrievalEngine('words').finish()).toThrow(/corpus is empty/);
    expect(() => engine.evaluate([], new Map(), 0)).toThrow(/no queries/);
    expect(() => new RetrievalEngine('tokens')).toThrow(/tokenizer/);
  });

  it('works without BM25 on a corpus too small for it', () => {
    const engine = new RetrievalEngine('words');
    engine.add(docs[0]);
    engine.finish();
    expect(engine.bm25Index).toBeUndefined();
    expect(engine.search(queries[0], 0).bm25).toEqual([]);
  });
});
