/**
 * The paper's alignment metrics (§3.2): Hit@K, local and global alignment rates.
 * `aligned` is the ranked id list of z = W h; `textIds` the unique ids of the text's tokens.
 */
export function uniqueIds(ids: Iterable<number>): number[] {
  return [...new Set(ids)];
}

/** 1 if any of the top-K aligned tokens is a token of the text. */
export function hitAtK(aligned: ArrayLike<number>, textIds: readonly number[], k: number): number {
  const set = new Set(textIds);
  const n = Math.min(k, aligned.length);
  for (let i = 0; i < n; i++) if (set.has(aligned[i])) return 1;
  return 0;
}

/** The text's tokens found among its top-|T| aligned tokens (the set behind LAR and GAR). */
export function alignedTextTokens(aligned: ArrayLike<number>, textIds: readonly number[]): number[] {
  const set = new Set(textIds);
  const found = new Set<number>();
  const n = Math.min(set.size, aligned.length);
  for (let i = 0; i < n; i++) if (set.has(aligned[i])) found.add(aligned[i]);
  return [...found];
}

/** LAR = |A[:|T|] ∩ T| / |T|. */
export function localAlignmentRate(aligned: ArrayLike<number>, textIds: readonly number[]): number {
  const size = new Set(textIds).size;
  return size === 0 ? 0 : alignedTextTokens(aligned, textIds).length / size;
}

export interface AlignmentCase {
  aligned: ArrayLike<number>;
  textIds: readonly number[];
}

/** GAR = |∪_i (A_i[:|T_i|] ∩ T_i)| / |∪_i T_i| over a dataset. */
export function globalAlignmentRate(cases: readonly AlignmentCase[]): number {
  const all = new Set<number>();
  const hit = new Set<number>();
  for (const c of cases) {
    for (const id of c.textIds) all.add(id);
    for (const id of alignedTextTokens(c.aligned, c.textIds)) hit.add(id);
  }
  return all.size === 0 ? 0 : hit.size / all.size;
}

export interface DatasetMetrics {
  /** Texts that counted (a content variant skips texts with no content token). */
  n: number;
  hitAtK: number;
  lar: number;
  gar: number;
}

/** Mean Hit@K, mean LAR and GAR; cases with an empty token set are skipped. */
export function datasetMetrics(cases: readonly AlignmentCase[], k: number): DatasetMetrics {
  const counted = cases.filter((c) => c.textIds.length > 0);
  if (counted.length === 0) return { n: 0, hitAtK: 0, lar: 0, gar: 0 };
  let hits = 0;
  let lars = 0;
  for (const c of counted) {
    hits += hitAtK(c.aligned, c.textIds, k);
    lars += localAlignmentRate(c.aligned, c.textIds);
  }
  return {
    n: counted.length,
    hitAtK: hits / counted.length,
    lar: lars / counted.length,
    gar: globalAlignmentRate(counted),
  };
}
