import STOPWORDS from './data/stopwords-en.json' with { type: 'json' };

/**
 * "Content tokens": not punctuation, not a stop word, not among a reference
 * corpus's most frequent tokens. Plain Hit@10 is nearly always 1 because almost
 * every sentence contains " ." or " a"; restricting the text's token set to
 * content tokens makes the metric say something (the paper does not do this).
 */
export interface ContentFilterOptions {
  /** Decoded text of a token id (e.g. " Woman"). */
  tokenText: (id: number) => string;
  /** Ids of the reference corpus's most frequent tokens, most frequent first. */
  frequentIds: readonly number[];
  /** How many of `frequentIds` count as filler (100 by default). */
  topFrequent?: number;
  stopwords?: readonly string[];
}

const STOPWORD_SET = new Set<string>(STOPWORDS);
const NO_LETTERS = /^[^\p{L}\p{N}]*$/u;

export function makeContentFilter(options: ContentFilterOptions): (id: number) => boolean {
  const frequent = new Set(options.frequentIds.slice(0, options.topFrequent ?? 100));
  const stopwords = options.stopwords ? new Set(options.stopwords) : STOPWORD_SET;
  const cache = new Map<number, boolean>();
  return (id: number) => {
    let verdict = cache.get(id);
    if (verdict === undefined) {
      const word = options.tokenText(id).trim().toLowerCase();
      verdict = !frequent.has(id) && !NO_LETTERS.test(word) && !stopwords.has(word);
      cache.set(id, verdict);
    }
    return verdict;
  };
}

export const ENGLISH_STOPWORDS: readonly string[] = STOPWORDS;
