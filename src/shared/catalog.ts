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
  { id: 'demo', label: 'Demo pair (tiny GPT trained here, offline)', manifest: 'demo/manifest.json' },
  {
    id: 'qwen3-0.6b',
    label: 'Qwen3-Embedding-0.6B with Qwen3-0.6B (Hub, ~1.5 GB in q8)',
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
    label: 'SGPT-125M (weighted mean, NLI, BitFit) with GPT-Neo-125M (export first)',
    note: 'The paper’s own family. SGPT has no ONNX on the Hub: run tools/hub/export_sgpt.py on a machine with internet; it writes models/sgpt-125m/.',
    manifest: 'sgpt-125m/manifest.json',
  },
  {
    id: 'smollm2-135m-eol',
    label: 'PromptEOL on SmolLM2-135M-Instruct (Hub, ~0.2–0.9 GB by variant)',
    note: 'One causal LM gives both views: mean pooling of the plain text vs the last token of the PromptEOL prompt.',
    hub: {
      embed: 'HuggingFaceTB/SmolLM2-135M-Instruct',
      base: 'HuggingFaceTB/SmolLM2-135M-Instruct',
      pooling: 'last',
      basePooling: 'mean',
      template: PROMPT_EOL_TEMPLATE,
    },
  },
  { id: 'test-tiny', label: 'Random tiny pair (mechanics only, for tests)', manifest: 'test-tiny/manifest.json' },
];

export const DEFAULT_PAIR_ID = 'demo';

export function findPair(id: string): CatalogEntry {
  const entry = CATALOG.find((e) => e.id === id);
  if (!entry) throw new Error(`Unknown model pair "${id}". Known pairs: ${CATALOG.map((e) => e.id).join(', ')}.`);
  return entry;
}
