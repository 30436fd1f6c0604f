/**
 * What the model worker sends the page about a pair and a text: the explorer's results.
 *
 * Pure data, shared by both sides of the worker boundary: the runtime (runtime/session.ts) builds
 * these values, the page (src/state, src/ui) reads them through worker/protocol.ts. Neither side
 * reaches across to the other's modules for them. Every array here crosses the boundary by
 * structured clone, so nothing holds a model or a closure.
 */
import type { AlignedView } from '../core/align';
import type { TokenDiff } from '../core/tokenDiff';
import type { Dtype } from './dtypes';

/** Where the models run. */
export type Device = 'webgpu' | 'wasm' | 'cpu';

/**
 * Where onnxruntime read the bodies' weights from while it built their sessions: 'disk cache' when every
 * Hub body's external data went as a Blob read from the browser's cache (runtime/loadPair.ts), else
 * 'bytes' held in the tab.
 */
export type WeightsSource = 'disk cache' | 'bytes';

/** The WebGPU-vs-WASM check of a pair loaded on WebGPU (runtime/canary.ts). */
export interface CanaryResult {
  ok: boolean;
  /** Cosine of the two backends' embeddings (embedder and base, the lower). */
  cosine: number;
  sameTopIds: boolean;
  reason?: string;
}

export interface TokenInfo {
  id: number;
  /** Readable: a token that is not valid UTF-8 on its own shows its bytes, `<0xE2><0x80>` (runtime/tokenReader.ts). */
  text: string;
  /** On the first token of a run of tokens that together form characters: its length and their text. */
  run?: { length: number; text: string };
}

export interface ColumnResult extends AlignedView {
  tokens: TokenInfo[];
  /**
   * Hit@k and LAR over the text's content tokens only (core/content.ts: no punctuation, stop word or frequent
   * token), the explorer's default; null when the text has none.
   */
  content: { hit: number; lar: number } | null;
  /** The top k with byte and special tokens left out (core/tokenFilter.ts), what the token filter shows. */
  filtered: { ids: number[]; scores: number[]; tokens: TokenInfo[]; hidden: number };
}

/** One point of the λ curve (core/lambdaCurve.ts): content Hit@k of the base at λ and its top-k overlap with the embedder. */
export interface CurvePoint {
  lambda: number;
  contentHit: number | null;
  overlap: number;
}

export interface LambdaCurveView {
  requestId: number;
  k: number;
  points: CurvePoint[];
}

export type DiffToken = TokenDiff['risers'][number] & { text: string };

/**
 * The tokens whose score rises / falls most from the base ranking (at λ) to the
 * embedder's, each z standardised over the vocabulary (core/tokenDiff.ts).
 */
export interface TokenDiffView {
  requestId: number;
  lambda: number;
  /** Byte and special tokens were left out of both lists (the token filter). */
  filtered: boolean;
  risers: DiffToken[];
  fallers: DiffToken[];
  /** With `filtered`: how many byte and special tokens rose / fell more than the last ones listed. */
  hidden: { risers: number; fallers: number };
}

/** One layer of the layer view: both models' top tokens of W · pool(norm(x_ℓ)). */
export interface LayerRow {
  /** 1-based, shallow to deep; the last row is the model's output (the explorer's columns). */
  layer: number;
  embed: ColumnResult;
  base: ColumnResult;
  /** Hit@k over the text's content tokens (null when the text has none). */
  contentHit: { embed: number | null; base: number | null };
  /** λ applied to the base at this layer, along this layer's u₁ (see LensSession.layers). */
  lambda: number;
}

export interface LayerView {
  requestId: number;
  /** Empty when either model has no layers; `reasons` then says why. */
  rows: LayerRow[];
  reasons: { embed?: string; base?: string };
}

export interface AlignResult {
  requestId: number;
  /** The text's own tokens in order. */
  tokens: TokenInfo[];
  truncated: boolean;
  /** Characters dropped before tokenizing (input longer than MAX_INPUT_CHARS). */
  droppedChars: number;
  /** How many characters of the text the model reads (runtime/charsRead.ts): the text's length unless `truncated`. */
  charsRead: number;
  embed: ColumnResult;
  base: ColumnResult;
  lambda: number;
  ms: number;
}

export interface PairInfo {
  id: string;
  /**
   * Names this load of the pair, unique across loads and worker restarts: a result
   * computed on one load is not applied to another (another pair, or a fresh worker
   * that no longer holds what the first one built).
   */
  loadId: string;
  name: string;
  description?: string;
  /** The template the embedder reads each text through (the manifest's `embed.template`; `{text}`: none). */
  template: string;
  device: Device;
  /** The bodies' ONNX variant (dtypes.ts): q8 on WASM, half floats on WebGPU with shader-f16, where the repos have them. */
  dtype: Dtype;
  /** Dtypes both bodies have (the picker offers these). */
  dtypes: Dtype[];
  vocabSize: number;
  maxLength: number;
  /** v_1..v_n and each component's energy share, from the bundled sample. */
  variation: number[];
  shares: number[];
  sampleSize: number;
  loadMs: number;
  /** Why the pair runs on another backend than asked (WebGPU check failed, device lost). */
  notice?: string;
  /** The WebGPU-vs-WASM check at load, when WebGPU was used. */
  canary?: CanaryResult;
  /**
   * 'estimating': the pair ships no spectrum, so its PC1 sample is being embedded after the pair is
   * shown (the slider waits; DirectionProgress reports), and variation/shares are empty until then.
   */
  direction: 'ready' | 'estimating';
  /** With direction 'ready' at load: the pair's shipped spectrum, or its sample's spectrum kept from an earlier visit. */
  directionSource?: DirectionSource;
  /** With directionSource 'file': the spectrum file's name or URL (one opened on an earlier visit is kept). */
  directionFrom?: string;
  /** Where onnxruntime read the bodies' weights from. */
  weightsFrom: WeightsSource;
}

/**
 * Where the slider's u₁ comes from (runtime/direction.ts): the pair's shipped spectrum (`lens spectrum`); its
 * sample's spectrum kept from an earlier visit; its sample embedded after this load; an analysis the user applied;
 * a spectrum file the user opened (`lens spectrum`'s JSON: a file, or a URL).
 */
export type DirectionSource = 'shipped' | 'kept' | 'sample' | 'analysis' | 'file';

/** What opening a spectrum file for the loaded pair gave: its v_j (the pair's now), where it came from, and a notice if it differs a little. */
export interface SpectrumOpened {
  variation: number[];
  shares: number[];
  sampleSize: number;
  /** The file's name or URL. */
  origin: string;
  /** Why it may differ a little from the pair's own (another dtype, backend or sample), in one sentence. */
  notice?: string;
}

/** The PC1 sample of a load, embedded in the background: progress, then the spectrum or the reason it failed. */
export interface DirectionProgress {
  loadId: string;
  done: number;
  total: number;
  spectrum?: { variation: number[]; shares: number[]; sampleSize: number };
  /**
   * Degrees u₁ moved: over the last few texts while the slider waits for it to settle (direction.ts SETTLE); with a
   * spectrum that replaces the sample's earlier one, between that one's u₁ and this one's.
   */
  movedDegrees?: number;
  /** With a spectrum: false for the early one (the first texts of the sample), true once the whole sample is in. */
  final?: boolean;
  error?: string;
}

/** Which pair, and which load of it, a direction (or any result) was computed on. */
export interface ComputedOn {
  pairId: string;
  loadId: string;
}
