import { topK } from './topk';

/**
 * The top of a ranking with byte and special tokens left out, for reading: a byte-level BPE vocabulary
 * holds 256 single-byte tokens (`<0xBB>`, pieces of characters) and a few dozen special ones
 * (`<|endoftext|>`), which often rank high on their own and say nothing about the text. The paper's
 * metrics (Hit@k, LAR) stay on the whole ranking; only what is shown is filtered.
 */
export interface FilteredTop {
  /** The k best ids that are not noise, best first. */
  ids: number[];
  scores: number[];
  /** How many noise tokens rank above the last id kept (left out of the list). */
  hidden: number;
}

/** A first guess at how deep to read: k plus room for a few noise tokens (doubled while it is not enough). */
const FIRST_MARGIN = 32;

/** The k best ids of z[0..validRows) for which `isNoise` is false, and how many noise ids rank above the last of them. */
export function filteredTop(z: ArrayLike<number>, validRows: number, k: number, isNoise: (id: number) => boolean): FilteredTop {
  const n = Math.min(validRows, z.length);
  for (let depth = Math.min(n, k + FIRST_MARGIN); ; depth = Math.min(n, depth * 2)) {
    const ranked = topK(z, depth, n);
    const ids: number[] = [];
    const scores: number[] = [];
    let hidden = 0;
    for (let i = 0; i < ranked.ids.length && ids.length < k; i++) {
      const id = ranked.ids[i];
      if (isNoise(id)) hidden++;
      else {
        ids.push(id);
        scores.push(ranked.scores[i]);
      }
    }
    if (ids.length === k || depth === n) return { ids, scores, hidden };
  }
}
