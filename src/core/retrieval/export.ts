import type { Entry } from './collection';
import { rankDocs } from './ranking';
import type { SparseVector } from './representation';
import { SparseIndex } from './sparseIndex';

/**
 * The sparse index in two real engines' formats, with each one's query side:
 *
 * - Anserini / Pyserini JsonVectorCollection (an "impact" index, built with
 *   `IndexCollection -collection JsonVectorCollection -impact -pretokenized`):
 *   one JSON object per line, `{"id", "contents", "vector": {term: int}}`;
 *   queries for `SearchCollection -impact -topicReader JsonStringVector` as
 *   `{"qid", "vector": {term: int}}`. Impact scoring is Σ q_t · d_t.
 * - Elasticsearch / OpenSearch: a `rank_features` field filled by bulk NDJSON
 *   (action line, source line); queries as `_msearch` NDJSON whose bodies are a
 *   `bool.should` of `rank_feature` clauses with the `linear` function, whose
 *   score is the stored value, so the bool sums Σ d_t as the app does.
 *
 * Weights are quantized once for the whole corpus to integers 1..255: impact
 * indexes need integers, and rank_features keeps 9 significant bits, so these
 * integers survive exactly and the engines reproduce the app's ranking of the
 * quantized index. Terms are token ids as decimal strings: byte-level BPE
 * tokens may hold spaces, dots or partial UTF-8, which neither format takes.
 */
export const QUANTIZED_MAX = 255;

export const termKey = (id: number): string => String(id);

export interface Quantized {
  /** weight × scale, rounded; entries rounding to 0 are dropped. */
  vectors: { ids: number[]; weights: number[] }[];
  scale: number;
  /** Weights dropped for rounding to 0. */
  dropped: number;
}

export function quantize(vectors: readonly SparseVector[], max = QUANTIZED_MAX): Quantized {
  let top = 0;
  for (const v of vectors) {
    for (const w of v.weights) {
      if (w < 0) throw new Error('the export needs non-negative weights (use relu, softmax or log-relu, not raw logits)');
      if (w > top) top = w;
    }
  }
  const scale = top > 0 ? max / top : 1;
  let dropped = 0;
  const out = vectors.map((v) => {
    const ids: number[] = [];
    const weights: number[] = [];
    for (let i = 0; i < v.ids.length; i++) {
      const q = Math.round(v.weights[i] * scale);
      if (q <= 0) {
        dropped++;
        continue;
      }
      ids.push(v.ids[i]);
      weights.push(q);
    }
    return { ids, weights };
  });
  return { vectors: out, scale, dropped };
}

const vectorObject = (ids: readonly number[], weights: readonly number[]) => Object.fromEntries(ids.map((id, i) => [termKey(id), weights[i]]));

/** JsonVectorCollection: one document per line. */
export function anseriniCollection(docs: readonly Entry[], quantized: Quantized): string {
  return docs
    .map((doc, i) => JSON.stringify({ id: doc.id, contents: doc.text, vector: vectorObject(quantized.vectors[i].ids, quantized.vectors[i].weights) }))
    .map((line) => `${line}\n`)
    .join('');
}

/** JsonStringVector topics: every query term weighs 1 (the paper's query is a token set). */
export function anseriniTopics(queries: readonly { id: string; terms: readonly number[] }[]): string {
  return queries
    .map(
      (q) =>
        `${JSON.stringify({
          qid: q.id,
          vector: vectorObject(
            q.terms,
            q.terms.map(() => 1),
          ),
        })}\n`,
    )
    .join('');
}

export const ES_FIELD = 'vector';

/** The index mapping: the text, and the sparse vector as rank_features. */
export function elasticMapping() {
  return { mappings: { properties: { contents: { type: 'text' }, [ES_FIELD]: { type: 'rank_features' } } } };
}

/** Bulk API NDJSON: an `index` action line, then the source line; ends with a newline as the API requires. */
export function elasticBulk(index: string, docs: readonly Entry[], quantized: Quantized): string {
  return docs
    .map((doc, i) => {
      const action = JSON.stringify({ index: { _index: index, _id: doc.id } });
      const source = JSON.stringify({ contents: doc.text, [ES_FIELD]: vectorObject(quantized.vectors[i].ids, quantized.vectors[i].weights) });
      return `${action}\n${source}\n`;
    })
    .join('');
}

/** One search body: Σ over the query's terms of the document's stored weight. */
export function elasticQuery(terms: readonly number[], size: number) {
  return {
    size,
    query: { bool: { should: terms.map((id) => ({ rank_feature: { field: `${ES_FIELD}.${termKey(id)}`, linear: {} } })) } },
  };
}

/** Multi search NDJSON: a header line naming the index, then the body, per query. */
export function elasticMsearch(index: string, queries: readonly { id: string; terms: readonly number[] }[], size: number): string {
  return queries.map((q) => `${JSON.stringify({ index })}\n${JSON.stringify(elasticQuery(q.terms, size))}\n`).join('');
}

/**
 * The app's ranking of the exported (quantized) index as a TREC run
 * (`qid Q0 docid rank score tag`), what Anserini's SearchCollection writes:
 * an engine's run over the export should match it line for line, ties aside.
 */
export function trecRun(
  queries: readonly { id: string; terms: readonly number[] }[],
  docIds: readonly string[],
  quantized: Quantized,
  depth = 100,
  tag = 'lens-sparse',
): string {
  const index = SparseIndex.build(quantized.vectors.map((v) => ({ ids: Int32Array.from(v.ids), weights: Float32Array.from(v.weights) })));
  const lines: string[] = [];
  for (const q of queries) {
    const { scores, matched } = index.score(q.terms);
    for (const [rank, hit] of rankDocs(scores, depth, (doc) => matched[doc] === 1).entries()) {
      lines.push(`${q.id} Q0 ${docIds[hit.doc]} ${rank + 1} ${hit.score} ${tag}\n`);
    }
  }
  return lines.join('');
}
