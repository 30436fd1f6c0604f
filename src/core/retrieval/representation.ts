import { topK } from '../topk';

/**
 * Document side of the paper's sparse retriever (its retrieval application; docs/design.md §1.6): a
 * document becomes the top-K tokens its embedding aligns with, z = W h, each
 * with a weight. We keep the top K_max logits and the log-sum-exp of z once,
 * so K and the weighting can change later without projecting again.
 */
export type WeightScheme = 'logit' | 'relu' | 'softmax' | 'log-relu';

export const WEIGHT_SCHEMES: readonly WeightScheme[] = ['logit', 'relu', 'softmax', 'log-relu'];

export interface SparseOptions {
  /** Top-K aligned tokens kept per document. */
  k: number;
  scheme: WeightScheme;
}

export const DEFAULT_SPARSE: SparseOptions = { k: 64, scheme: 'relu' };
/** Top logits kept per text, so K and M can be changed up to here without re-embedding. */
export const K_MAX = 256;

export interface AlignedTop {
  /** Top-K_max vocabulary ids of z, best first. */
  ids: Int32Array;
  /** Their logits z_v. */
  logits: Float32Array;
  /** log Σ_v exp(z_v) over the real vocabulary: the softmax normalizer. */
  logSumExp: number;
}

/** A sparse vector over the vocabulary: parallel ids and weights, best first. */
export interface SparseVector {
  ids: Int32Array;
  weights: Float32Array;
}

/** Ranks z over the real vocabulary (rows < validRows) and keeps the best `kMax`. */
export function alignedTop(z: ArrayLike<number>, validRows: number, kMax: number): AlignedTop {
  const n = Math.min(validRows, z.length);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (z[i] > max) max = z[i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(z[i] - max);
  const ranked = topK(z, kMax, n);
  return { ids: ranked.ids, logits: ranked.scores, logSumExp: max + Math.log(sum) };
}

/** One logit under a weighting. All four are monotone in z, so top-K by z is top-K by weight. */
export function weigh(logit: number, scheme: WeightScheme, logSumExp: number): number {
  switch (scheme) {
    case 'logit':
      return logit;
    case 'relu':
      return Math.max(0, logit);
    case 'softmax':
      return Math.exp(logit - logSumExp);
    case 'log-relu':
      // SPLADE's log-saturation (Formal et al. 2021): damps a few dominant tokens.
      return Math.log1p(Math.max(0, logit));
  }
}

/**
 * The document vector: its top-K aligned tokens with weights. Zero weights
 * (ReLU and log-saturation of a non-positive logit) are dropped, so they cost
 * nothing in the index; raw logits keep negative weights.
 */
export function documentVector(top: AlignedTop, k: number, scheme: WeightScheme): SparseVector {
  const n = Math.min(k, top.ids.length);
  const ids: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = weigh(top.logits[i], scheme, top.logSumExp);
    if (w === 0 && scheme !== 'logit') continue;
    ids.push(top.ids[i]);
    weights.push(w);
  }
  return { ids: Int32Array.from(ids), weights: Float32Array.from(weights) };
}

export type QueryTokenSource = 'literal' | 'expansion' | 'both';

export interface QueryTerms {
  /** Unique vocabulary ids, literal ones first in text order, then expansion ids by rank. */
  ids: number[];
  source: QueryTokenSource[];
}

/**
 * Query side: the query's own token set (it needs no model call), optionally
 * expanded with its top-M aligned tokens. Every term weighs 1: the score is
 * the sum of the document's weights on these terms.
 */
export function queryTerms(literalIds: readonly number[], expansion?: ArrayLike<number>, m = 0): QueryTerms {
  const index = new Map<number, number>();
  const ids: number[] = [];
  const source: QueryTokenSource[] = [];
  for (const id of literalIds) {
    if (index.has(id)) continue;
    index.set(id, ids.length);
    ids.push(id);
    source.push('literal');
  }
  const count = expansion ? Math.min(m, expansion.length) : 0;
  for (let i = 0; i < count; i++) {
    const id = expansion![i];
    const at = index.get(id);
    if (at !== undefined) {
      if (source[at] === 'literal') source[at] = 'both';
      continue;
    }
    index.set(id, ids.length);
    ids.push(id);
    source.push('expansion');
  }
  return { ids, source };
}
