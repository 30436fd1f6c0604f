import { AutoModel, AutoTokenizer, type PreTrainedModel, type PreTrainedTokenizer, type Tensor } from '@huggingface/transformers';
import { makeContentFilter } from '../core/content';
import { headRowToFloat32, type LmHead, lmHeadFromBytes } from '../core/lmHead';
import { poolBatch } from '../core/pooling';
import { topComponents, variation } from '../core/spectral';
import { type BinaryReader, type ProgressListener, readText } from './files';
import { checkHubRepos, HubClient, type HubLmHead, loadLmHeadFromHub } from './hub';
import { applyTemplate, isHubHead, type PairManifest } from './manifest';
import type { Precision } from './precision';
import { TokenReader, type VocabularyTokenizer } from './tokenReader';

export type Device = 'webgpu' | 'wasm' | 'cpu';

/** Texts per run for a body that also returns logits (see pooled()). */
const LOGITS_BATCH = 4;

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

export interface Spectrum {
  /** u_1..u_n of the sample's base embeddings (no centering). */
  vectors: Float64Array[];
  singularValues: number[];
  shares: number[];
  /** v_1..v_n: the mean embed − base shift along each u_j. */
  variation: number[];
  sampleSize: number;
}

export interface LoadOptions {
  /** Where Hub-hosted LM heads come from (default: huggingface.co). */
  hub?: HubClient;
  /** Keeps Hub LM heads between visits (the browser's IndexedDB). */
  headCache?: {
    get(repo: string): Promise<HubLmHead | undefined>;
    put(repo: string, head: HubLmHead): Promise<void>;
  };
  device: Device;
  /** Body precision: fp16 loads onnx/model_fp16.onnx (WebGPU with shader-f16, see precision.ts). */
  precision?: Precision;
  /** Reads files under the model root (LM head, sample, frequent tokens). */
  read: BinaryReader;
  onProgress?: ProgressListener;
  /** This pair's W, already loaded: a twin of a loaded pair (e.g. the WASM check of a WebGPU pair) shares it rather than holding a second copy. */
  head?: LmHead;
}

/** A loaded pair: tokenizer, both bodies and W. Everything model-specific lives here. */
export class LensPair {
  private constructor(
    readonly manifest: PairManifest,
    readonly device: Device,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly embedModel: PreTrainedModel,
    private readonly baseModel: PreTrainedModel,
    readonly head: LmHead,
    readonly frequentIds: number[],
    readonly sample: string[],
    /** u_1 / v_j of the sample computed ahead (`lens spectrum`), if the pair ships them. */
    readonly storedSpectrum?: Spectrum,
  ) {}

  static async load(manifest: PairManifest, options: LoadOptions): Promise<LensPair> {
    try {
      return await LensPair.loadFiles(manifest, options);
    } catch (error) {
      if (!manifest.setup) throw error;
      throw new Error(`${manifest.setup} (${(error as Error).message})`);
    }
  }

  private static async loadFiles(manifest: PairManifest, options: LoadOptions): Promise<LensPair> {
    const { device, read, onProgress } = options;
    // transformers.js reports per-file progress; forward it in our own shape.
    const progress_callback = (info: any) => {
      if (!onProgress || !info.file) return;
      const file = `${info.name}/${info.file}`;
      if (info.status === 'progress') onProgress({ file, loaded: info.loaded, total: info.total, done: false });
      if (info.status === 'done') onProgress({ file, loaded: 1, total: 1, done: true });
    };
    // In the browser, onnxruntime-web's graph optimizer runs before the browser has finished compiling the
    // runtime's wasm: for the small pairs under models/ it cost more (~1.5 s of a 3 s load, bench/README.md)
    // than it saves at inference. Hub models are large and gain from the fused graph; Node's native optimizer is fast.
    const fromHub = isHubHead(manifest.lmHead);
    const graphOptimizationLevel = device === 'cpu' || fromHub ? ('all' as const) : ('disabled' as const);
    const modelOptions = { device, dtype: options.precision ?? 'fp32', progress_callback, session_options: { graphOptimizationLevel } };
    const headSource = manifest.lmHead;
    if (isHubHead(headSource)) await checkHubRepos(options.hub ?? new HubClient(), [manifest.embed.model, manifest.base.model, headSource.hub]);
    // Hub pairs: tokenizers first, so a pair whose vocabularies differ is refused before anything large is
    // downloaded. A local pair was made together and downloads nothing: its embedder's tokenizer loads beside
    // the models (first tokens come sooner) and the base model's copy is not read.
    const tokenizers = Promise.all([
      AutoTokenizer.from_pretrained(manifest.embed.model, { progress_callback }),
      !fromHub || manifest.base.model === manifest.embed.model ? undefined : AutoTokenizer.from_pretrained(manifest.base.model, { progress_callback }),
    ]).then(([tokenizer, baseTokenizer]) => {
      const vocabSize = tokenizer.get_vocab().size;
      const baseVocabSize = baseTokenizer?.get_vocab().size ?? vocabSize;
      if (baseVocabSize !== vocabSize) {
        throw new Error(
          `The embedding model ${manifest.embed.model} has a vocabulary of ${vocabSize.toLocaleString('en')} tokens and the base model ${manifest.base.model} of ${baseVocabSize.toLocaleString('en')}: their token ids do not line up, so W·h would be meaningless. Choose a pair made from the same model.`,
        );
      }
      return { tokenizer, vocabSize };
    });
    if (fromHub) await tokenizers;
    const [{ tokenizer, vocabSize }, embedModel, baseModel, head, frequent, sample, stored] = await Promise.all([
      tokenizers,
      AutoModel.from_pretrained(manifest.embed.model, modelOptions),
      AutoModel.from_pretrained(manifest.base.model, modelOptions),
      options.head
        ? options.head
        : isHubHead(headSource)
          ? Promise.all([cachedHubHead(headSource.hub, options), tokenizers]).then(([h, t]) =>
              lmHeadFromBytes(h.data.buffer as ArrayBuffer, h.rows, h.cols, h.dtype, manifest.vocabSize || t.vocabSize),
            )
          : // W moves once into the projection kernel's memory; the file's bytes are dropped here.
            read(headSource.file, onProgress).then((bytes) => lmHeadFromBytes(bytes, headSource.rows, headSource.cols, headSource.dtype, manifest.vocabSize)),
      manifest.frequentTokens ? readText(read, manifest.frequentTokens).then((t) => JSON.parse(t).ids as number[]) : [],
      manifest.sample ? readText(read, manifest.sample).then(splitLines) : [],
      manifest.spectrum ? readText(read, manifest.spectrum).then((t) => parseSpectrum(JSON.parse(t))) : undefined,
    ]);
    if (head.rows < vocabSize) {
      throw new Error(`The LM head of ${manifest.base.model} has ${head.rows} rows but its tokenizer ${vocabSize} tokens.`);
    }
    return new LensPair(manifest, device, tokenizer, embedModel, baseModel, head, frequent, sample, stored);
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
    this.tokenReader ??= new TokenReader(this.tokenizer as unknown as VocabularyTokenizer);
    return this.tokenReader;
  }
  private tokenReader?: TokenReader;

  /** Content-token filter for this vocabulary (see core/content.ts). */
  get isContent(): (id: number) => boolean {
    this.contentFilter ??= makeContentFilter({ tokenText: (id) => this.tokens.decoded(id), frequentIds: this.frequentIds });
    return this.contentFilter;
  }
  private contentFilter?: (id: number) => boolean;

  /** Token ids of a text (no template), truncated to the context. */
  tokenize(text: string): { ids: number[]; truncated: boolean } {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }) as number[];
    const max = this.manifest.maxLength;
    return { ids: ids.slice(0, max), truncated: ids.length > max };
  }

  /**
   * Embeds texts with both models, in batches. `template` overrides the
   * embedder's prompt (the Instruction view); the base model always reads the plain text.
   */
  async encode(texts: readonly string[], batchSize = 16, template = this.manifest.embed.template): Promise<EncodedText[]> {
    const out: EncodedText[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = texts.slice(start, start + batchSize);
      const templated = batch.map((t) => applyTemplate(template, t));
      const [embed, base] = await Promise.all([
        this.pooled(this.embedModel, templated, this.manifest.embed.pooling),
        this.pooled(this.baseModel, batch, this.manifest.base.pooling),
      ]);
      for (const [i, text] of batch.entries()) out.push({ text, ...this.tokenize(text), embed: embed[i], base: base[i] });
    }
    return out;
  }

  /** The embedder's pooled embeddings only, for retrieval (no base model: half the work of encode). */
  async embedOnly(texts: readonly string[], batchSize = 16): Promise<Omit<EncodedText, 'base'>[]> {
    const out: Omit<EncodedText, 'base'>[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = texts.slice(start, start + batchSize);
      const templated = batch.map((t) => applyTemplate(this.manifest.embed.template, t));
      const embed = await this.pooled(this.embedModel, templated, this.manifest.embed.pooling);
      for (const [i, text] of batch.entries()) out.push({ text, ...this.tokenize(text), embed: embed[i] });
    }
    return out;
  }

  private async pooled(model: PreTrainedModel, texts: string[], pooling: PairManifest['embed']['pooling']): Promise<Float32Array[]> {
    // A causal-LM export also returns logits, batch × length × V floats (V = 152k for Qwen3):
    // run such a model a few texts at a time so that tensor stays small.
    const returnsLogits = (model as unknown as { sessions?: Record<string, { outputNames: string[] }> }).sessions?.model?.outputNames.includes('logits');
    const step = returnsLogits ? LOGITS_BATCH : texts.length;
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += step) {
      const inputs = this.tokenizer(texts.slice(start, start + step), {
        padding: true,
        truncation: true,
        max_length: this.manifest.maxLength,
        // The model's own special tokens (e.g. the EOS that last-token embedders are trained to end on).
        add_special_tokens: true,
      });
      const output = await model({ input_ids: inputs.input_ids, attention_mask: inputs.attention_mask });
      let hidden: Tensor | undefined = output.last_hidden_state;
      if (!hidden) throw new Error(`A model of this pair returns neither last_hidden_state nor logits with a MatMul before them: it cannot be a body here.`);
      if (hidden.type !== 'float32') hidden = hidden.to('float32');
      const [batch, , dim] = hidden.dims as number[];
      out.push(...poolBatch(hidden.data as Float32Array, inputs.attention_mask.data as BigInt64Array as any, batch, dim, pooling));
    }
    return out;
  }

  /** u_j and v_j from the pair's bundled sample (paper §4). */
  async spectrum(components = 20, onProgress?: (done: number, total: number) => void): Promise<Spectrum> {
    const texts = this.sample;
    if (texts.length < 2) throw new Error(`Pair ${this.manifest.id} has no sample to estimate PC1 from.`);
    const encoded: EncodedText[] = [];
    for (let start = 0; start < texts.length; start += 32) {
      encoded.push(...(await this.encode(texts.slice(start, start + 32))));
      onProgress?.(encoded.length, texts.length);
    }
    const pcs = topComponents(
      encoded.map((e) => e.base),
      components,
    );
    return {
      ...pcs,
      variation: variation(
        encoded.map((e) => e.embed),
        encoded.map((e) => e.base),
        pcs.vectors,
      ),
      sampleSize: encoded.length,
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.embedModel.dispose(), this.baseModel.dispose()]);
  }
}

async function cachedHubHead(repo: string, options: LoadOptions): Promise<HubLmHead> {
  const cached = await options.headCache?.get(repo).catch(() => undefined);
  if (cached) return cached;
  const head = await loadLmHeadFromHub(options.hub ?? new HubClient(), repo, options.onProgress);
  await options.headCache?.put(repo, head).catch(() => undefined); // a full disk only costs the next visit a download
  return head;
}

/** The JSON form of a spectrum (u_1 only: the slider needs nothing more). */
export function serializeSpectrum(spectrum: Spectrum) {
  const { vectors, ...rest } = spectrum;
  return { ...rest, u1: Array.from(vectors[0]) };
}

function parseSpectrum(json: ReturnType<typeof serializeSpectrum>): Spectrum {
  const { u1, ...rest } = json;
  if (!Array.isArray(u1) || !Array.isArray(rest.variation)) throw new Error('spectrum file: expected u1 and variation arrays');
  return { ...rest, vectors: [Float64Array.from(u1)] };
}

function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}
