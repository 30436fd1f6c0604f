import type { RetrievalText } from './engine';

/**
 * A built index saved to disk (`lens index` → lens/index.json) so that `lens
 * search --index` embeds only the query: each document's tokens, embedding
 * and top-K_max logits, with the pair build it came from.
 */
export const INDEX_FORMAT = 'embedding-lens-retrieval/1';

export interface SavedIndex {
  format: typeof INDEX_FORMAT;
  pair: string;
  /** Identifies the pair build (e.g. a hash of its LM head): an index only fits the build that made it. */
  pairBuild: string;
  docs: {
    id: string;
    text: string;
    tokens: number[];
    truncated: boolean;
    embedding: number[];
    topIds: number[];
    topLogits: number[];
    logSumExp: number;
  }[];
}

export function saveIndex(pair: string, pairBuild: string, docs: readonly RetrievalText[]): SavedIndex {
  return {
    format: INDEX_FORMAT,
    pair,
    pairBuild,
    docs: docs.map((d) => ({
      id: d.id,
      text: d.text,
      tokens: d.tokens,
      truncated: d.truncated,
      embedding: Array.from(d.embedding),
      topIds: Array.from(d.top.ids),
      topLogits: Array.from(d.top.logits),
      logSumExp: d.top.logSumExp,
    })),
  };
}

/** Reads a saved index back; throws with a clear message when it is not one or belongs to another pair build. */
export function loadIndex(value: unknown, pair: string, pairBuild: string): RetrievalText[] {
  const saved = value as Partial<SavedIndex> | null;
  if (!saved || saved.format !== INDEX_FORMAT || !Array.isArray(saved.docs)) throw new Error(`not a saved index (expected format "${INDEX_FORMAT}")`);
  if (saved.pair !== pair || saved.pairBuild !== pairBuild) {
    throw new Error(`the index was built with pair "${saved.pair}" build ${saved.pairBuild}, not "${pair}" build ${pairBuild}: run lens index again`);
  }
  return saved.docs.map((d) => ({
    id: d.id,
    text: d.text,
    tokens: d.tokens,
    truncated: d.truncated,
    embedding: Float32Array.from(d.embedding),
    top: { ids: Int32Array.from(d.topIds), logits: Float32Array.from(d.topLogits), logSumExp: d.logSumExp },
  }));
}
