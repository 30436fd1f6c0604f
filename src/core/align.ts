import { hitAtK, localAlignmentRate, uniqueIds } from './metrics';
import { topK } from './topk';

/** One model's view of one text: its top aligned tokens and how well they match the text. */
export interface AlignedView {
  /** Top-k vocabulary ids of z = W h, best first. */
  ids: number[];
  scores: number[];
  /** Hit@k: some top-k token is a token of the text. */
  hit: number;
  /** LAR: share of the text's unique tokens found in its top-|T| aligned tokens. */
  lar: number;
  /** The text's token ids that appear among the top-k (highlighted as key tokens). */
  keyIds: number[];
  /** Hit@k and LAR over `contentIds` when given (null when that set is empty). */
  content?: { hit: number; lar: number } | null;
}

/**
 * Ranks logits z over the real vocabulary (rows < validRows) and scores the
 * ranking against the text's own token ids (paper §3.2).
 */
export function alignedView(z: Float32Array, validRows: number, textIds: readonly number[], k: number, contentIds?: readonly number[]): AlignedView {
  const unique = uniqueIds(textIds);
  // LAR needs the top-|T| list, which may be longer than what is shown (and |content| ≤ |T|).
  const ranked = topK(z, Math.max(k, unique.length), validRows);
  const ids = Array.from(ranked.ids);
  const shown = new Set(ids.slice(0, k));
  const view: AlignedView = {
    ids: ids.slice(0, k),
    scores: Array.from(ranked.scores.subarray(0, k)),
    hit: hitAtK(ids, unique, k),
    lar: localAlignmentRate(ids, unique),
    keyIds: unique.filter((id) => shown.has(id)),
  };
  if (contentIds) view.content = contentIds.length ? { hit: hitAtK(ids, contentIds, k), lar: localAlignmentRate(ids, contentIds) } : null;
  return view;
}
