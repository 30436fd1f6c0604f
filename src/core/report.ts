import { type LmHead, project } from './lmHead';
import { type AlignmentCase, type DatasetMetrics, datasetMetrics, uniqueIds } from './metrics';
import { adjust, topComponents, variation } from './spectral';
import { topK } from './topk';

/**
 * The paper's dataset analysis (§3–4) over one set of texts: alignment metrics
 * for the base model, the embedder and the base model shifted by λ = v_1 along
 * u_1, plus the same over content tokens only, and the spectral variation.
 */
export interface TextRecord {
  text: string;
  /** The text's tokens (no template), in order. */
  ids: number[];
  embed: Float32Array;
  base: Float32Array;
  truncated?: boolean;
}

export type ModelKey = 'embed' | 'base' | 'baseAdjusted';
export const MODEL_KEYS: readonly ModelKey[] = ['embed', 'base', 'baseAdjusted'];

export interface ReportMetrics extends DatasetMetrics {
  hit10: number;
}

export interface PerText {
  text: string;
  ids: number[];
  truncated: boolean;
  /** The text's unique content token ids (options.isContent): the set behind the content variants. */
  contentIds: number[];
  /** Top aligned ids per model (at least k, or |T| when longer). */
  top: Record<ModelKey, number[]>;
}

export interface DatasetReport {
  n: number;
  k: number;
  /** Mean Hit@k (and Hit@10 whatever k is), mean LAR and GAR per model. */
  metrics: Record<ModelKey, ReportMetrics>;
  /** The same over content tokens only (texts without any content token skipped). */
  content: Record<ModelKey, ReportMetrics>;
  /** Mean share of each model's top-k among the reference corpus's 50 most frequent tokens. */
  frequentShare: Record<ModelKey, number>;
  /** v_1..v_m: mean embed − base shift along each u_j of this dataset's base embeddings. */
  variation: number[];
  singularValues: number[];
  shares: number[];
  /** The λ used for baseAdjusted: v_1. */
  lambda: number;
  /** u_1 itself (for W u_1 and the explorer's slider). */
  u1: number[];
  perText: PerText[];
}

export interface ReportOptions {
  k?: number;
  components?: number;
  isContent: (id: number) => boolean;
  /** Reference corpus's most frequent ids, most frequent first (the top 50 are used). */
  frequentIds: readonly number[];
}

export function buildReport(records: readonly TextRecord[], head: LmHead, options: ReportOptions): DatasetReport {
  const k = options.k ?? 10;
  if (records.length < 2) throw new Error('A dataset analysis needs at least two texts.');
  const pcs = topComponents(
    records.map((r) => r.base),
    options.components ?? 20,
  );
  const v = variation(
    records.map((r) => r.embed),
    records.map((r) => r.base),
    pcs.vectors,
  );
  const u1 = pcs.vectors[0];
  const lambda = v[0];
  const top50 = new Set(options.frequentIds.slice(0, 50));
  const z = new Float32Array(head.rows);

  const perText: PerText[] = records.map((r) => {
    const unique = uniqueIds(r.ids);
    const depth = Math.max(k, 10, unique.length);
    const rank = (h: ArrayLike<number>) => Array.from(topK(project(head, h, z), depth, head.validRows).ids);
    return {
      text: r.text,
      ids: r.ids,
      truncated: Boolean(r.truncated),
      contentIds: unique.filter(options.isContent),
      top: { embed: rank(r.embed), base: rank(r.base), baseAdjusted: rank(adjust(r.base, u1, lambda)) },
    };
  });

  const measure = (cases: AlignmentCase[]): ReportMetrics => ({
    ...datasetMetrics(cases, k),
    hit10: datasetMetrics(cases, 10).hitAtK,
  });
  const byModel = <T>(f: (key: ModelKey) => T) => Object.fromEntries(MODEL_KEYS.map((key) => [key, f(key)])) as Record<ModelKey, T>;
  return {
    n: records.length,
    k,
    metrics: byModel((key) => measure(perText.map((p) => ({ aligned: p.top[key], textIds: uniqueIds(p.ids) })))),
    content: byModel((key) => measure(perText.map((p) => ({ aligned: p.top[key], textIds: p.contentIds })))),
    frequentShare: byModel((key) => perText.reduce((sum, p) => sum + p.top[key].slice(0, k).filter((id) => top50.has(id)).length / k, 0) / perText.length),
    variation: v,
    singularValues: pcs.singularValues,
    shares: pcs.shares,
    lambda,
    u1: Array.from(u1),
    perText,
  };
}
