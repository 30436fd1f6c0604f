/**
 * Ranking metrics from qrels, as trec_eval / pytrec_eval compute them (BEIR's
 * evaluator): linear gain nDCG (gain = relevance, discount log2(rank + 1)),
 * reciprocal rank of the first relevant document, and recall of the relevant set.
 * Relevance ≤ 0 counts as not relevant.
 */
export type Qrels = Map<string, Map<string, number>>;

/** nDCG@k of one ranked list of document ids. */
export function ndcgAt(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    const rel = relevant.get(ranked[i]) ?? 0;
    if (rel > 0) dcg += rel / Math.log2(i + 2);
  }
  const ideal = [...relevant.values()].filter((r) => r > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i] / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** 1 / rank of the first relevant document within the top k, else 0. */
export function mrrAt(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if ((relevant.get(ranked[i]) ?? 0) > 0) return 1 / (i + 1);
  return 0;
}

/** |relevant ∩ top k| / |relevant|. */
export function recallAt(ranked: readonly string[], relevant: ReadonlyMap<string, number>, k: number): number {
  let total = 0;
  for (const rel of relevant.values()) if (rel > 0) total++;
  if (total === 0) return 0;
  let found = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if ((relevant.get(ranked[i]) ?? 0) > 0) found++;
  return found / total;
}

export interface RunMetrics {
  ndcg10: number;
  mrr10: number;
  recall100: number;
  /** Queries evaluated: those with at least one relevant document in the qrels. */
  queries: number;
}

/**
 * Means over the queries that have a relevant document. A judged query with
 * no ranking (say, it matched no document) scores 0 on every metric.
 */
export function evaluateRun(run: ReadonlyMap<string, readonly string[]>, qrels: Qrels): RunMetrics {
  let ndcg = 0;
  let mrr = 0;
  let recall = 0;
  let queries = 0;
  for (const [query, relevant] of qrels) {
    if (![...relevant.values()].some((r) => r > 0)) continue;
    const ranked = run.get(query) ?? [];
    ndcg += ndcgAt(ranked, relevant, 10);
    mrr += mrrAt(ranked, relevant, 10);
    recall += recallAt(ranked, relevant, 100);
    queries++;
  }
  if (queries === 0) return { ndcg10: 0, mrr10: 0, recall100: 0, queries: 0 };
  return { ndcg10: ndcg / queries, mrr10: mrr / queries, recall100: recall / queries, queries };
}
