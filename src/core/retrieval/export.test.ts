import { describe, expect, it } from 'vitest';
import { RetrievalEngine } from './engine';
import { anseriniCollection, anseriniTopics, elasticBulk, elasticMapping, elasticMsearch, QUANTIZED_MAX, quantize } from './export';
import { rankDocs } from './ranking';
import { SparseIndex } from './sparseIndex';
import { syntheticCorpus } from './testData';

// An independent scorer: it reads only the exported text, as an engine would,
// and shares no code with the app's index.
type Vec = Record<string, number>;
const jsonLines = (text: string) => {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};
const rankBy = (docs: { id: string; vector: Vec }[], query: Vec) =>
  docs
    .filter((d) => Object.keys(query).some((t) => t in d.vector))
    .map((d) => ({ id: d.id, order: docs.indexOf(d), score: Object.entries(query).reduce((s, [t, w]) => s + w * (d.vector[t] ?? 0), 0) }))
    .sort((a, b) => b.score - a.score || a.order - b.order);

const isPositiveIntVector = (v: unknown) =>
  typeof v === 'object' && v !== null && Object.entries(v).every(([k, w]) => /^\S+$/.test(k) && Number.isInteger(w) && (w as number) > 0);

describe('exports for a real search engine', () => {
  const { docs, queries } = syntheticCorpus(11, 40);
  const engine = new RetrievalEngine('words');
  for (const d of docs) engine.add(d);
  engine.finish({ k: 24, scheme: 'log-relu' });
  const entries = docs.map((d) => ({ id: d.id, text: d.text }));
  const vectors = docs.map((_, i) => engine.sparseIndex.vector(i));
  const quantized = quantize(vectors);
  const topics = queries.map((q) => ({ id: q.id, terms: engine.queryTerms(q, 2).ids }));

  it('quantizes to integers 1..255 over the whole corpus', () => {
    const all = quantized.vectors.flatMap((v) => v.weights);
    expect(Math.max(...all)).toBe(QUANTIZED_MAX);
    for (const w of all) expect(Number.isInteger(w) && w >= 1 && w <= QUANTIZED_MAX).toBe(true);
    expect(() => quantize([{ ids: Int32Array.of(1), weights: Float32Array.of(-1) }])).toThrow(/non-negative/);
  });

  it('Anserini JsonVectorCollection and JsonStringVector topics follow the documented schema', () => {
    const collection = jsonLines(anseriniCollection(entries, quantized));
    expect(collection).toHaveLength(docs.length);
    for (const doc of collection) {
      expect(Object.keys(doc).sort()).toEqual(['contents', 'id', 'vector']);
      expect(typeof doc.id).toBe('string');
      expect(typeof doc.contents).toBe('string');
      expect(isPositiveIntVector(doc.vector)).toBe(true);
    }
    for (const topic of jsonLines(anseriniTopics(topics))) {
      expect(Object.keys(topic).sort()).toEqual(['qid', 'vector']);
      expect(isPositiveIntVector(topic.vector)).toBe(true);
    }
  });

  it('Elasticsearch bulk NDJSON and _msearch bodies follow the documented schema', () => {
    expect(elasticMapping().mappings.properties.vector.type).toBe('rank_features');
    const bulk = jsonLines(elasticBulk('lens', entries, quantized));
    expect(bulk).toHaveLength(2 * docs.length);
    for (let i = 0; i < bulk.length; i += 2) {
      expect(bulk[i]).toEqual({ index: { _index: 'lens', _id: docs[i / 2].id } });
      const source = bulk[i + 1] as { contents: string; vector: Vec };
      expect(typeof source.contents).toBe('string');
      // rank_features: a hash of string keys (no dots: they would be object paths) to strictly positive numbers.
      for (const [key, value] of Object.entries(source.vector)) {
        expect(key).not.toMatch(/[.\s]/);
        expect(value).toBeGreaterThan(0);
        expect(value).toBeLessThan(2 ** 9); // integers below 2^9 keep all 9 stored significant bits
      }
    }
    const search = jsonLines(elasticMsearch('lens', topics, 100));
    for (let i = 0; i < search.length; i += 2) {
      expect(search[i]).toEqual({ index: 'lens' });
      const body = search[i + 1] as { size: number; query: { bool: { should: { rank_feature: { field: string; linear: object } }[] } } };
      expect(body.size).toBe(100);
      for (const clause of body.query.bool.should) {
        expect(clause.rank_feature.field).toMatch(/^vector\.\d+$/);
        expect(clause.rank_feature.linear).toEqual({});
      }
    }
  });

  it('scoring the exported files reproduces the app ranking, in both formats', () => {
    const anserini = jsonLines(anseriniCollection(entries, quantized)) as { id: string; vector: Vec }[];
    const anseriniQueries = jsonLines(anseriniTopics(topics)) as { qid: string; vector: Vec }[];
    const bulk = jsonLines(elasticBulk('lens', entries, quantized));
    const elastic = Array.from({ length: bulk.length / 2 }, (_, i) => ({
      id: (bulk[2 * i] as { index: { _id: string } }).index._id,
      vector: (bulk[2 * i + 1] as { vector: Vec }).vector,
    }));
    const bodies = jsonLines(elasticMsearch('lens', topics, 100)).filter((_, i) => i % 2 === 1) as {
      query: { bool: { should: { rank_feature: { field: string } }[] } };
    }[];
    // The app's own index over the same quantized weights.
    const quantizedIndex = SparseIndex.build(quantized.vectors.map((v) => ({ ids: Int32Array.from(v.ids), weights: Float32Array.from(v.weights) })));
    const appEngine = new RetrievalEngine('words');
    for (const d of docs) appEngine.add(d);
    appEngine.finish({ k: 24, scheme: 'log-relu' });
    for (const [qi, q] of queries.entries()) {
      const app = appEngine.search(q, 2, docs.length).sparse;
      const scored = quantizedIndex.score(topics[qi].terms);
      const appQuantized = rankDocs(scored.scores, docs.length, (doc) => scored.matched[doc] === 1).map((h) => ({ id: docs[h.doc].id }));
      const fromAnserini = rankBy(
        anserini.map((d) => ({ id: d.id, vector: d.vector })),
        anseriniQueries[qi].vector,
      );
      const esQuery = Object.fromEntries(bodies[qi].query.bool.should.map((c) => [c.rank_feature.field.slice('vector.'.length), 1]));
      const fromElastic = rankBy(elastic, esQuery);
      expect(fromAnserini.map((h) => h.id)).toEqual(appQuantized.map((h) => h.id));
      expect(fromElastic.map((h) => h.id)).toEqual(appQuantized.map((h) => h.id));
      // Against the float index: any swap comes from rounding, so its score gap is within the rounding error.
      const floatScore = new Map(app.map((h) => [h.id, h.score]));
      const bound = (topics[qi].terms.length * 0.5) / quantized.scale;
      for (let i = 1; i < fromAnserini.length; i++) {
        const gap = (floatScore.get(fromAnserini[i].id) ?? 0) - (floatScore.get(fromAnserini[i - 1].id) ?? 0);
        expect(gap).toBeLessThanOrEqual(2 * bound + 1e-6);
      }
      expect(new Set(fromAnserini.map((h) => h.id))).toEqual(new Set(app.map((h) => h.id)));
    }
  });
});
