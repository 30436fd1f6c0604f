export interface Hit {
  doc: number;
  score: number;
}

/**
 * The `limit` best documents, best first; ties go to the lower document index
 * so every run is deterministic. With `matchedOnly`, documents scoring exactly
 * 0 (no posting touched them) are not retrieved, as in an inverted index.
 */
export function rankDocs(scores: ArrayLike<number>, limit: number, matched?: (doc: number) => boolean): Hit[] {
  const hits: Hit[] = [];
  for (let doc = 0; doc < scores.length; doc++) {
    if (Number.isNaN(scores[doc])) continue;
    if (matched && !matched(doc)) continue;
    hits.push({ doc, score: scores[doc] });
  }
  hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
  return hits.slice(0, limit);
}
