import type { HeadDtype } from '../core/lmHead';
import { POOLINGS, type Pooling } from '../core/pooling';

/**
 * A model pair: an embedding model, the generative (base) model it was made from,
 * and where the base model's LM head W lives. Paths are relative to the model
 * root (`/models/` in the browser, `models/` in Node), so the UI never needs to
 * know which pair it shows.
 */
export interface PairManifest {
  id: string;
  name: string;
  /** One honest sentence on what this pair shows (the app displays it). */
  description?: string;
  /** For a pair whose files a user makes first (an export script): what to do, shown when loading fails. */
  setup?: string;
  embed: { model: string; pooling: Pooling; template: string };
  base: { model: string; pooling: Pooling };
  lmHead: LocalHead | HubHead;
  /** Tokens the tokenizer really has; W rows past this are padding (0: take it from the tokenizer). */
  vocabSize: number;
  /** Context length: longer inputs are truncated (and the UI says so). */
  maxLength: number;
  /** JSON `{ids: number[]}`: the reference corpus's most frequent tokens (content-token filter). */
  frequentTokens?: string;
  /** One text per line: the sample that estimates u_1 and v_1 for the slider. */
  sample?: string;
  /**
   * JSON written by `lens spectrum`: u_1 and v_j of `sample`, computed ahead so the
   * slider is ready at once (software WebGPU takes many seconds for 2 × 200 texts).
   */
  spectrum?: string;
}

/** W as a raw row-major file under the model root. */
export interface LocalHead {
  file: string;
  dtype: HeadDtype;
  rows: number;
  cols: number;
}

/** W read from a Hub repo's safetensors with Range requests (only that tensor). */
export interface HubHead {
  hub: string;
}

export const isHubHead = (head: LocalHead | HubHead): head is HubHead => 'hub' in head;

/** PromptEOL (Jiang et al. 2023): the last token of this prompt is the text's embedding. */
export const PROMPT_EOL_TEMPLATE = 'This sentence : "{text}" means in one word:"';

/** The sample every pair without its own uses for u_1 / v_1 (200 STS-B dev sentences). */
export const DEFAULT_SAMPLE = 'demo/sample.txt';

export interface CustomPairSpec {
  embed: string;
  base: string;
  /** Repo whose safetensors hold W, when not the base body's (an ONNX-only export of the base). */
  head?: string;
  pooling: Pooling;
  /** Base model's pooling (defaults to the embedder's). */
  basePooling?: Pooling;
  template?: string;
  maxLength?: number;
}

/** A pair of Hub models the user names: bodies from the Hub, W from the base repo's safetensors. */
export function customPairManifest(spec: CustomPairSpec, id = `custom:${spec.embed}+${spec.base}`, name = `${spec.embed} with ${spec.base}`): PairManifest {
  return parseManifest(
    {
      id,
      name,
      embed: { model: spec.embed, pooling: spec.pooling, template: spec.template ?? '{text}' },
      base: { model: spec.base, pooling: spec.basePooling ?? spec.pooling },
      lmHead: { hub: spec.head ?? spec.base },
      vocabSize: 0,
      maxLength: spec.maxLength ?? 512,
      sample: DEFAULT_SAMPLE,
    },
    'custom pair',
  );
}

/** PromptEOL on one causal LM: the embedding view is the template's last token, the base view plain mean pooling. */
export function promptEolManifest(model: string, maxLength = 512): PairManifest {
  return customPairManifest({ embed: model, base: model, pooling: 'last', basePooling: 'mean', template: PROMPT_EOL_TEMPLATE, maxLength });
}

const HEAD_DTYPES: readonly HeadDtype[] = ['float32', 'float16', 'bfloat16'];

/** Validates a parsed manifest, naming the first field that is wrong. */
export function parseManifest(value: unknown, source = 'manifest'): PairManifest {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (!value || typeof value !== 'object') fail('not a JSON object');
  const m = value as Record<string, any>;
  const text = (v: unknown, field: string) => (typeof v === 'string' && v.length > 0 ? v : fail(`"${field}" must be a non-empty string`));
  const count = (v: unknown, field: string) => (Number.isInteger(v) && (v as number) > 0 ? (v as number) : fail(`"${field}" must be a positive integer`));
  const pooling = (v: unknown, field: string) => (POOLINGS.includes(v as Pooling) ? (v as Pooling) : fail(`"${field}" must be one of ${POOLINGS.join(', ')}`));

  const template = m.embed?.template ?? '{text}';
  if (!String(template).includes('{text}')) fail('"embed.template" must contain {text}');
  const hubHead = typeof m.lmHead?.hub === 'string';
  const dtype = m.lmHead?.dtype;
  if (!hubHead && !HEAD_DTYPES.includes(dtype)) fail(`"lmHead.dtype" must be one of ${HEAD_DTYPES.join(', ')}`);

  const manifest: PairManifest = {
    id: text(m.id, 'id'),
    name: typeof m.name === 'string' ? m.name : m.id,
    description: typeof m.description === 'string' ? m.description : undefined,
    setup: typeof m.setup === 'string' ? m.setup : undefined,
    embed: { model: text(m.embed?.model, 'embed.model'), pooling: pooling(m.embed?.pooling, 'embed.pooling'), template },
    base: { model: text(m.base?.model, 'base.model'), pooling: pooling(m.base?.pooling ?? m.embed?.pooling, 'base.pooling') },
    lmHead: hubHead
      ? { hub: text(m.lmHead.hub, 'lmHead.hub') }
      : {
          file: text(m.lmHead?.file, 'lmHead.file'),
          dtype,
          rows: count(m.lmHead?.rows, 'lmHead.rows'),
          cols: count(m.lmHead?.cols, 'lmHead.cols'),
        },
    vocabSize: hubHead && !m.vocabSize ? 0 : count(m.vocabSize, 'vocabSize'),
    maxLength: count(m.maxLength, 'maxLength'),
    frequentTokens: m.frequentTokens,
    sample: m.sample,
    spectrum: m.spectrum,
  };
  if (!isHubHead(manifest.lmHead) && manifest.vocabSize > manifest.lmHead.rows) {
    fail(`vocabSize ${manifest.vocabSize} exceeds the LM head's ${manifest.lmHead.rows} rows`);
  }
  return manifest;
}

/** Wraps a text in the embedder's prompt (PromptEOL, instruction formats). */
export function applyTemplate(template: string, text: string): string {
  return template.split('{text}').join(text);
}
