import { type CustomPairSpec, PROMPT_EOL_TEMPLATE } from './manifest';

/**
 * The pairs the app offers. A pair either ships under the model root (a
 * manifest file) or names Hub repos (a spec: the bodies come from the Hub, W
 * from the base model's safetensors by Range requests).
 */
export type CatalogEntry = {
  id: string;
  label: string;
  /** Shown beside the entry: what it needs, where it comes from. */
  note?: string;
  /**
   * What loading it downloads. A shipped pair's is the sum of the files its load reads (runtime/pairFiles.ts
   * localPairFiles; a unit test keeps it equal to the files on disk); a Hub pair's, by variant, from the real repos
   * (docs/hub-facts.md). Every entry of CATALOG has one (runtime/pairFiles.test.ts); a test's own entry may not.
   */
  size?: string;
  /** The weights' licence(s) (docs/licences.md; a Hub pair's from its repos' model cards). */
  licence?: string;
} & (
  | { manifest: string; hub?: undefined; spectrum?: undefined }
  | {
      hub: CustomPairSpec;
      manifest?: undefined;
      /**
       * The spectrum of the pair's sample, written by `lens spectrum` (or `npm run verify:hub -- --spectra <dir>`):
       * a path under the model root (`spectra/<id>.json` is models/spectra/<id>.json) or an http(s) URL. With one,
       * the slider is ready at load (source 'shipped'); without, the sample is embedded after the pair loads.
       */
      spectrum?: string;
    }
);

/** Qwen3-Embedding's own query format (its model card): an instruction, then the text; last-token pooling. */
export const QWEN3_QUERY_TEMPLATE = 'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:{text}';

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'demo',
    label: 'Demo pair (tiny GPT trained here, offline)',
    size: '23.4 MB',
    licence: 'GPL-2.0-or-later (the weights: trained on text that includes GCIDE; see docs/licences.md)',
    manifest: 'demo/manifest.json',
  },
  {
    id: 'qwen3-0.6b',
    label: 'Qwen3-Embedding-0.6B with Qwen3-0.6B (Hub, ~1.5 GB in q8)',
    size: '~1.5 GB in q8 (0.59 + 0.63 GB bodies, 0.31 GB W); ~1.4 GB in q4f16',
    licence: 'Apache-2.0 (Qwen3-Embedding-0.6B and Qwen3-0.6B)',
    note: 'The base here is the post-trained Qwen3-0.6B, not Qwen3-0.6B-Base (which has no ONNX export laid out for transformers.js; tools/hub/export_qwen3_base.py makes one). Base hidden states from its causal-LM ONNX export; W read from Qwen/Qwen3-0.6B’s bf16 safetensors, padding rows masked.',
    hub: {
      embed: 'onnx-community/Qwen3-Embedding-0.6B-ONNX',
      base: 'onnx-community/Qwen3-0.6B-ONNX',
      head: 'Qwen/Qwen3-0.6B',
      pooling: 'last',
      basePooling: 'mean',
      template: QWEN3_QUERY_TEMPLATE,
    },
  },
  {
    id: 'sgpt-125m',
    label: 'SGPT-125M (weighted mean, NLI, BitFit) with GPT-Neo-125M',
    size: '~1.1 GB in fp32, once exported',
    licence: 'MIT (SGPT-125M-weightedmean-nli-bitfit and GPT-Neo-125M)',
    note: 'The paper’s own family. SGPT has no ONNX on the Hub: run tools/hub/export_sgpt.py on a machine with internet; it writes models/sgpt-125m/.',
    manifest: 'sgpt-125m/manifest.json',
  },
  {
    id: 'smollm2-135m-eol',
    label: 'PromptEOL on SmolLM2-135M-Instruct (Hub, ~0.2–0.9 GB by variant)',
    size: '0.2–0.9 GB by variant (fp32 0.65 GB, q4f16 0.13 GB, + W 57 MB)',
    licence: 'Apache-2.0 (SmolLM2-135M-Instruct)',
    note: 'One causal LM gives both views: mean pooling of the plain text vs the last token of the PromptEOL prompt.',
    hub: {
      embed: 'HuggingFaceTB/SmolLM2-135M-Instruct',
      base: 'HuggingFaceTB/SmolLM2-135M-Instruct',
      pooling: 'last',
      basePooling: 'mean',
      template: PROMPT_EOL_TEMPLATE,
    },
  },
  {
    id: 'test-tiny',
    label: 'Random tiny pair (mechanics only, for tests)',
    size: '0.4 MB',
    licence: 'MIT (random weights)',
    manifest: 'test-tiny/manifest.json',
  },
];

export const DEFAULT_PAIR_ID = 'demo';

export function findPair(id: string): CatalogEntry {
  const entry = CATALOG.find((e) => e.id === id);
  if (!entry) throw new Error(`Unknown model pair "${id}". Known pairs: ${CATALOG.map((e) => e.id).join(', ')}.`);
  return entry;
}
