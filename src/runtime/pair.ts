/**
 * A loaded pair: the embedding model, the base model it was made from, each with its own tokenizer,
 * and the base model's LM head W. It runs texts and nothing else; how its files arrive is
 * runtime/loadPair.ts, where its PC1 direction comes from is runtime/direction.ts.
 *
 * Every model run goes through runBody / runLayers, so each body always reads with its own
 * tokenizer (Qwen3-Embedding's appends an EOS that Qwen3's does not) and the embedder alone reads
 * the pair's prompt template (the paper's §3: the base model reads the plain text).
 */
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { batchesOf } from '../core/batches';
import { makeContentFilter } from '../core/content';
import { headRowToFloat32, type LmHead } from '../core/lmHead';
import { poolBatch } from '../core/pooling';
import type { Spectrum } from '../core/spectral';
import type { Dtype } from '../shared/dtypes';
import { applyTemplate, type PairManifest } from '../shared/manifest';
import type { Device, WeightsSource } from '../shared/wire';
import { type LayerStates, pooledLayers } from './layers';
import { RunGate } from './runGate';
import { TokenReader, type VocabularyTokenizer } from './tokenReader';

/** Texts per run for a body that also returns logits: batch × length × V floats (V = 152k for Qwen3), kept small. */
const LOGITS_BATCH = 4;

/** The two models of a pair. */
export type Body = 'embed' | 'base';

/** How one call runs among others (runGate.ts). */
export interface RunOptions {
  /** Queue behind the page's requests (the PC1 sample a Hub pair embeds after loading). */
  background?: boolean;
  /** Checked before each model run: a true answer ends the call with RunCancelled. */
  isCancelled?: () => boolean;
  /** Awaited before each background run: e.g. until the page has been quiet for a moment (LensSession). */
  beforeRun?: () => Promise<void>;
}

/** A run stopped before a model run because its caller cancelled. */
export class RunCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** One text as both models see it. */
export interface EncodedText {
  text: string;
  /** The text's own tokens (no template), in order, after truncation. */
  ids: number[];
  /** True when the text had more tokens than the model's context. */
  truncated: boolean;
  /** Pooled embedding from the embedding model (template applied). */
  embed: Float32Array;
  /** Pooled final hidden state from the base model. */
  base: Float32Array;
}

/** Per-layer pooled states of several texts (see LensPair.encodeLayers). */
export interface LayerEncoding {
  texts: { text: string; ids: number[]; truncated: boolean }[];
  /** embed[ℓ][i]: text i at layer ℓ+1 (empty when the model has no layers). */
  embed: Float32Array[][];
  base: Float32Array[][];
  /** Why a model has no layer view, in words (the graph's shape, a stale cached copy). */
  reasons: { embed?: string; base?: string };
}

/** Everything a loaded pair holds: what loadPair builds, in one record. */
export interface LoadedPair {
  manifest: PairManifest;
  device: Device;
  dtype: Dtype;
  /** Each body with the tokenizer it reads with (one model and tokenizer may serve both: PromptEOL). */
  bodies: Record<Body, { model: PreTrainedModel; tokenizer: PreTrainedTokenizer }>;
  head: LmHead;
  /** The vocabulary's most frequent ids (the content filter's filler list), if the pair ships them. */
  frequentIds: number[];
  /** The texts u₁ is estimated from (runtime/direction.ts). */
  sample: string[];
  /** u_1 / v_j of the sample computed ahead (`lens spectrum`), if the pair ships them. */
  storedSpectrum?: Spectrum;
  /** How the bodies' weights reached onnxruntime: Blobs read from the disk cache, or bytes in the tab. */
  weightsFrom: WeightsSource;
}

export class LensPair {
  readonly manifest: PairManifest;
  readonly device: Device;
  readonly dtype: Dtype;
  readonly head: LmHead;
  readonly frequentIds: number[];
  readonly sample: string[];
  readonly storedSpectrum?: Spectrum;
  readonly weightsFrom: WeightsSource;
  private readonly bodies: LoadedPair['bodies'];
  /** One model run at a time, the page's requests before background work. */
  private readonly gate = new RunGate();

  constructor(loaded: LoadedPair) {
    ({
      manifest: this.manifest,
      device: this.device,
      dtype: this.dtype,
      head: this.head,
      frequentIds: this.frequentIds,
      sample: this.sample,
      storedSpectrum: this.storedSpectrum,
      weightsFrom: this.weightsFrom,
      bodies: this.bodies,
    } = loaded);
  }

  /** Row `id` of W as floats. */
  headRow(id: number): Float32Array {
    return headRowToFloat32(this.head, id);
  }

  /** The text of one vocabulary entry, readable: bytes that are not UTF-8 on their own as `<0xNN>` (tokenReader.ts). */
  tokenText(id: number): string {
    return this.tokens.shown(id);
  }

  /** The vocabulary as people read it and as the tokenizer decodes it. */
  get tokens(): TokenReader {
    this.tokenReader ??= new TokenReader(this.bodies.embed.tokenizer as unknown as VocabularyTokenizer);
    return this.tokenReader;
  }
  private tokenReader?: TokenReader;

  /** Byte and special tokens (tokenReader.ts isNoise), kept out of the lists people read when the filter is on. */
  readonly isNoise = (id: number): boolean => this.tokens.isNoise(id);

  /** Every byte and special token id of the vocabulary (once per pair: the token diff leaves them out over all of it). */
  get noiseIds(): number[] {
    if (!this.noise) {
      this.noise = [];
      for (let id = 0; id < this.head.validRows; id++) if (this.isNoise(id)) this.noise.push(id);
    }
    return this.noise;
  }
  private noise?: number[];

  /** Content-token filter for this vocabulary (see core/content.ts). */
  get isContent(): (id: number) => boolean {
    this.contentFilter ??= makeContentFilter({ tokenText: (id) => this.tokens.decoded(id), frequentIds: this.frequentIds });
    return this.contentFilter;
  }
  private contentFilter?: (id: number) => boolean;

  /** Token ids of a text (no template, no special tokens), truncated to the context: the text's own tokens. */
  tokenize(text: string): { ids: number[]; truncated: boolean } {
    const ids = this.bodies.embed.tokenizer.encode(text, { add_special_tokens: false }) as number[];
    const max = this.manifest.maxLength;
    return { ids: ids.slice(0, max), truncated: ids.length > max };
  }

  /**
   * Embeds texts with both models, `batchSize` texts at a time. `template` overrides the
   * embedder's prompt (the Instruction view); the base model always reads the plain text.
   */
  async encode(texts: readonly string[], batchSize = 16, template = this.manifest.embed.template, run: RunOptions = {}): Promise<EncodedText[]> {
    const out: EncodedText[] = [];
    for (const batch of batchesOf(texts, batchSize)) {
      // One body after the other (they share the CPU anyway): a cancel is seen between the two.
      const embed = await this.runBody('embed', batch, run, template);
      const base = await this.runBody('base', batch, run);
      for (const [i, text] of batch.entries()) out.push({ text, ...this.tokenize(text), embed: embed[i], base: base[i] });
    }
    return out;
  }

  /** The embedder's pooled embeddings only, for retrieval (no base model: half the work of encode). */
  async embedOnly(texts: readonly string[], batchSize = 16): Promise<Omit<EncodedText, 'base'>[]> {
    const out: Omit<EncodedText, 'base'>[] = [];
    for (const batch of batchesOf(texts, batchSize)) {
      const embed = await this.runBody('embed', batch);
      for (const [i, text] of batch.entries()) out.push({ text, ...this.tokenize(text), embed: embed[i] });
    }
    return out;
  }

  /**
   * Every layer's pooled state of each text, through the final norm, for both models
   * (runtime/layers.ts), shallow to deep; or, per model, why it has none.
   */
  async encodeLayers(texts: readonly string[], batchSize = 16, run: RunOptions = {}): Promise<LayerEncoding> {
    const layers: Record<Body, Float32Array[][]> = { embed: [], base: [] };
    const reasons: LayerEncoding['reasons'] = {};
    for (const batch of batchesOf(texts, batchSize)) {
      for (const which of ['embed', 'base'] as const) {
        if (reasons[which]) continue;
        const states = await this.runLayers(which, batch, run);
        if ('reason' in states) reasons[which] = states.reason;
        else appendLayers(layers[which], states.layers);
      }
      if (reasons.embed && reasons.base) break;
    }
    const { embed, base } = layers;
    if (!reasons.embed && !reasons.base && embed.length !== base.length) {
      reasons.base = `the embedding model has ${embed.length} layers and the base model ${base.length}: they cannot be read side by side`;
    }
    return { texts: texts.map((text) => ({ text, ...this.tokenize(text) })), embed, base, reasons };
  }

  /**
   * One body's pooled final states of `texts`, read with that body's own tokenizer: the embedder
   * reads each text through `template` (default: the pair's), the base model reads it plain.
   */
  async runBody(which: Body, texts: readonly string[], run: RunOptions = {}, template = this.manifest.embed.template): Promise<Float32Array[]> {
    const { model } = this.bodies[which];
    const out: Float32Array[] = [];
    for (const batch of batchesOf(this.prepared(which, texts, template), this.runSize(model, texts.length))) {
      const inputs = this.tokenized(which, batch);
      const output = await this.runModel<Record<string, Tensor>>(() => model({ input_ids: inputs.input_ids, attention_mask: inputs.attention_mask }), run);
      let hidden: Tensor | undefined = output.last_hidden_state;
      if (!hidden) throw new Error(`A model of this pair returns neither last_hidden_state nor logits with a MatMul before them: it cannot be a body here.`);
      if (hidden.type !== 'float32') hidden = hidden.to('float32');
      const [size, , dim] = hidden.dims as number[];
      out.push(...poolBatch(hidden.data as Float32Array, inputs.attention_mask.data as BigInt64Array, size, dim, this.manifest[which].pooling));
    }
    return out;
  }

  /** One body's per-layer pooled states of `texts` (runtime/layers.ts), read with that body's own tokenizer. */
  async runLayers(which: Body, texts: readonly string[], run: RunOptions = {}): Promise<LayerStates> {
    const { model } = this.bodies[which];
    const layers: Float32Array[][] = [];
    for (const batch of batchesOf(this.prepared(which, texts), this.runSize(model, texts.length))) {
      const states = await this.runModel(() => pooledLayers(model, this.tokenized(which, batch), this.manifest[which].pooling), run);
      if ('reason' in states) return states;
      appendLayers(layers, states.layers);
    }
    return { layers };
  }

  async dispose(): Promise<void> {
    await Promise.all([...new Set([this.bodies.embed.model, this.bodies.base.model])].map((m) => m.dispose()));
  }

  /** What a body reads: the embedder each text through the template, the base model the text itself. */
  private prepared(which: Body, texts: readonly string[], template = this.manifest.embed.template): string[] {
    return which === 'embed' ? texts.map((t) => applyTemplate(template, t)) : [...texts];
  }

  /**
   * A body's inputs: its own tokenizer, its own special tokens (e.g. the EOS that last-token embedders are trained
   * to end on). The base model is padded on the right whatever its tokenizer says: it is a causal-LM export, and
   * onnxruntime's GroupQueryAttention (the Hub's fused Qwen3 and SmolLM2 graphs) takes a first prompt's real tokens
   * to start at position 0, so a left-padded batch gives wrong states (tools/fused/fused.test.ts shows it). The
   * embedder keeps its tokenizer's side (Qwen3-Embedding's pads left); pooling reads the mask, so either side pools alike.
   */
  private tokenized(which: Body, texts: string[]) {
    const { tokenizer } = this.bodies[which];
    const side = tokenizer.padding_side;
    if (which === 'base') tokenizer.padding_side = 'right';
    try {
      return tokenizer(texts, { padding: true, truncation: true, max_length: this.manifest.maxLength, add_special_tokens: true });
    } finally {
      tokenizer.padding_side = side; // the embedder may share this tokenizer (a local pair's bodies read one)
    }
  }

  /** Texts per model run: all of them, or LOGITS_BATCH for a causal-LM export that also returns logits. */
  private runSize(model: PreTrainedModel, texts: number): number {
    const outputs = (model as unknown as { sessions?: Record<string, { outputNames: string[] }> }).sessions?.model?.outputNames;
    return outputs?.includes('logits') ? LOGITS_BATCH : Math.max(1, texts);
  }

  /** One model run through the gate; a cancelled caller stops before it starts. */
  private async runModel<T>(work: () => Promise<T>, { background = false, isCancelled, beforeRun }: RunOptions): Promise<T> {
    if (background) await beforeRun?.();
    return this.gate.run(async () => {
      if (isCancelled) {
        // Model runs resolve as microtasks, which never let the worker's message events (a cancel) in.
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (isCancelled()) throw new RunCancelled();
      }
      return work();
    }, background);
  }
}

/** Appends one batch's per-layer states (`batch[ℓ][i]`) to those already read. */
function appendLayers(into: Float32Array[][], batch: Float32Array[][]): void {
  for (const [l, layer] of batch.entries()) {
    into[l] ??= [];
    into[l].push(...layer);
  }
}
