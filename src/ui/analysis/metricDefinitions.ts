/**
 * The alignment metrics in words, one source for the table's hover titles, the "?" disclosure and the
 * exports (docs/views.md says the same; the formulas the code uses: design.md, "Alignment metrics").
 */
export const PAPER_SECTION = 'Nie, Zhang & Wu (ACL 2025, arXiv 2406.17378), §3';

export interface MetricDefinition {
  term: string;
  definition: string;
}

export const METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  {
    term: 'Hit@k',
    definition: "1 if any of the k tokens ranked highest by z = W·h is one of the text's own tokens, else 0; the table gives its mean over the texts (k = 10).",
  },
  {
    term: 'LAR',
    definition:
      "Local alignment rate: with T the text's distinct tokens, the share of T found among the |T| tokens ranked highest by z, |A[:|T|] ∩ T| / |T|; mean over the texts.",
  },
  {
    term: 'GAR',
    definition:
      'Global alignment rate: over the whole dataset, the distinct tokens found as in LAR divided by all the distinct tokens of all texts, |∪ᵢ(Aᵢ[:|Tᵢ|] ∩ Tᵢ)| / |∪ᵢ Tᵢ|.',
  },
  {
    term: 'content Hit@10, LAR, GAR',
    definition:
      "The same with T replaced by the text's content tokens: not punctuation, not a stop word, not among the reference corpus's 100 most frequent tokens. Texts without one are skipped. This app's addition, not the paper's: plain Hit@10 is nearly always 1 because almost every text contains ' .' or ' a'.",
  },
  {
    term: 'top-k frequent',
    definition: "The share of a model's top k tokens that are among the reference corpus's 50 most frequent tokens: how much of its list is filler.",
  },
  {
    term: 'Base + v₁·u₁',
    definition:
      "The base model's embedding moved by λ = v₁ along u₁, the first principal direction of this dataset's base embeddings (v₁: the embedder's mean shift along u₁).",
  },
  {
    term: 'gain',
    definition: "Per text: the embedder's LAR minus the base model's LAR.",
  },
];

/** The hover title of a table header naming a metric ("Hit@10" finds "Hit@k"). */
export function metricTitle(term: string): string {
  return METRIC_DEFINITIONS.find((d) => d.term === term)?.definition ?? '';
}
