import { AutoModel, AutoTokenizer, type PreTrainedModel, type PreTrainedTokenizer, type Tensor } from '@huggingface/transformers';
import { makeContentFilter } from '../core/content';
import { headRowToFloat32, type LmHead, lmHeadFromBytes } from '../core/lmHead';
import { poolBatch } from '../core/pooling';
import { topComponents, variation } from '../core/spectral';
import { type Dtype, dtypeFile } from '../shared/dtypes';
import { type BinaryReader, type ProgressListener, readText } from '../shared/files';
import { applyTemplate, isHubHead, type PairManifest } from '../shared/manifest';
import type { Device } from './device';
import type { DownloadLog } from './downloadLog';
import type { BodySplitter } from './externalDataFetch';
import { checkHubRepos, HubClient, HubError, type HubLmHead, loadLmHeadFromHub } from './hub';
import { type LayerStates, pooledLayers } from './layers';
import { bodyRepos, type PairPlan } from './plan';
import { DownloadError } from './resilientFetch';
import { RunGate } from './runGate';
import { TokenReader, type VocabularyTokenizer } from './tokenReader';

export type { Device };

/** Texts per run for a body that also returns logits (see pooled()). */
const LOGITS_BATCH = 4;
/**
 * Texts per model run for work in the background (the PC1 sample after a Hub pair loads): one, because
 * a run blocks the worker, so the page's next message (a slider tick, a text) waits for the run going on.
 */
const BACKGROUND_BATCH = 1;

/** How one call of encode() runs among others (runGate.ts). */
export interface RunOptions {
  /** Queue behind the page's requests (the PC1 sample a Hub pair embeds after loading). */
  background?: boolean;
  /** Checked before each model run: a true answer ends the call with RunCancelled. */
  isCancelled?: () => boolean;
  /** Awaited before each background run: e.g. until the page has been quiet for a moment (LensSession). */
  beforeRun?: () => Promise<void>;
}

/** encode() stopped before a model run because its caller cancelled. */
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
  /** Which variant of each body loads (plan.ts); default: the fp32 graph with its weights inside. */
  plan?: PairPlan;
  /** Reads files under the model root (LM head, sample, frequent tokens). */
  read: BinaryReader;
  onProgress?: ProgressListener;
  /** What this load downloads: forgotten from the cache if the load fails on a file's contents. */
  downloads?: DownloadLog;
  /**
   * Serves single-file Hub bodies as graph + external data (externalDataFetch.ts), so onnxruntime-web
   * holds their weights once; the fetch transformers.js uses must go through it. Absent in Node.
   */
  splitter?: BodySplitter;
  /** This pair's W, already loaded: a pair loaded again (e.g. on another backend) shares it rather than holding a second copy. */
  head?: LmHead;
  /**
   * A Hub file as a Blob the browser keeps on disk, downloaded into its cache if need be (modelCache.ts
   * cachedBlob), or undefined where it cannot keep it. Given only where onnxruntime-web reads external
   * data from a Blob one initializer at a time (its JSPI build, worker/ortRuntime.ts): a body's weights
   * then never lie whole in the tab while its session is built. Absent: external data goes as bytes.
   */
  fileBlob?: (url: string, onBytes?: (loaded: number, total: number) => void, signal?: AbortSignal) => Promise<Blob | undefined>;
}

/**
 * Where onnxruntime read the bodies' weights from while it built their sessions: 'disk cache' when every
 * Hub body's external data went as a Blob (LoadOptions.fileBlob), else 'bytes' held in the tab.
 */
export type WeightsSource = 'disk cache' | 'bytes';

/** A loaded pair: tokenizer, both bodies and W. Everything model-specific lives here. */
export class LensPair {
  /** One model run at a time, the page's requests before background work. */
  private readonly gate = new RunGate();

  private constructor(
    readonly manifest: PairManifest,
    readonly device: Device,
    readonly dtype: Dtype,
    private readonly tokenizer: PreTrainedTokenizer,
    /** The base model's own tokenizer where it differs (Qwen3-Embedding's appends an EOS that the base model's does not). */
    private readonly baseTokenizer: PreTrainedTokenizer,
    private readonly embedModel: PreTrainedModel,
    private readonly baseModel: PreTrainedModel,
    readonly head: LmHead,
    readonly frequentIds: number[],
    readonly sample: string[],
    /** u_1 / v_j of the sample computed ahead (`lens spectrum`), if the pair ships them. */
    readonly storedSpectrum?: Spectrum,
    /** How the bodies' weights reached onnxruntime (pair.ts externalDataBlobs): Blobs read from the disk cache, or bytes in the tab. */
    readonly weightsFrom: WeightsSource = 'bytes',
  ) {}

  /**
   * Loads a pair. A failure names its cause; when the cause may be a file's contents
   * (not the network's weather), what this attempt downloaded leaves the cache.
   */
  static async load(manifest: PairManifest, options: LoadOptions): Promise<LensPair> {
    options.downloads?.reset();
    try {
      return await LensPair.loadFiles(manifest, options);
    } catch (error) {
      let message = (error as Error).message;
      if (!isNetworkWeather(error)) {
        const forgotten = (await options.downloads?.forget().catch(() => 0)) ?? 0;
        if (forgotten) message += ` (The ${forgotten} file${forgotten > 1 ? 's' : ''} downloaded for this pair ${forgotten > 1 ? 'were' : 'was'} removed from the cache; loading again downloads afresh.)`;
      }
      if (manifest.setup) message = `${manifest.setup} (${message})`;
      throw new Error(message, { cause: error });
    }
  }

  private static async loadFiles(manifest: PairManifest, options: LoadOptions): Promise<LensPair> {
    const fromHub = isHubHead(manifest.lmHead);
    if (fromHub) await checkHubRepos(options.hub ?? new HubClient(), [...bodyRepos(manifest), (manifest.lmHead as { hub: string }).hub]);
    const progress_callback = forwardProgress(options.onProgress);
    const tokenizers = loadTokenizers(manifest, fromHub, progress_callback);
    // Hub pairs: tokenizers first, so a pair whose vocabularies differ is refused before anything large downloads.
    if (fromHub) await tokenizers;
    // A Hub pair's W (0.3 GB for Qwen3, with a copy or two on its way in: the download, the IndexedDB write)
    // comes before its bodies, so that its transient copies are gone before onnxruntime holds a body twice
    // while it builds that body's session. A local pair is small: all at once.
    const headLoad = options.head ?? loadHead(manifest, options, tokenizers);
    if (fromHub) await headLoad;
    const weights = { from: 'bytes' as WeightsSource };
    const bodies = loadBodies(manifest, options, fromHub, progress_callback, weights);
    let loaded: [Awaited<typeof tokenizers>, Awaited<typeof bodies>, LmHead, Awaited<ReturnType<typeof loadExtras>>];
    try {
      loaded = await Promise.all([tokenizers, bodies, headLoad, loadExtras(manifest, options.read)]);
    } catch (error) {
      // Bodies that loaded before W or a small file failed are freed, not left in onnxruntime's heap.
      const models = await bodies.catch(() => []);
      await Promise.all([...new Set(models)].map((m) => m.dispose().catch(() => undefined)));
      throw error;
    }
    const [{ tokenizer, baseTokenizer, vocabSize }, [embedModel, baseModel], head, extras] = loaded;
    if (head.rows < vocabSize) {
      await Promise.all([...new Set([embedModel, baseModel])].map((m) => m.dispose().catch(() => undefined)));
      throw new Error(`The LM head of ${manifest.base.model} has ${head.rows} rows but its tokenizer ${vocabSize} tokens.`);
    }
    const dtype = options.plan?.dtype ?? 'fp32';
    return new LensPair(manifest, options.device, dtype, tokenizer, baseTokenizer ?? tokenizer, embedModel, baseModel, head, extras.frequent, extras.sample, extras.spectrum, weights.from);
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
  async encode(texts: readonly string[], batchSize = 16, template = this.manifest.embed.template, run: RunOptions = {}): Promise<EncodedText[]> {
    const out: EncodedText[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = texts.slice(start, start + batchSize);
      const templated = batch.map((t) => applyTemplate(template, t));
      // One body after the other (they share the CPU anyway): a cancel is seen between the two.
      const embed = await this.pooled(this.embedModel, this.tokenizer, templated, this.manifest.embed.pooling, run);
      const base = await this.pooled(this.baseModel, this.baseTokenizer, batch, this.manifest.base.pooling, run);
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
      const embed = await this.pooled(this.embedModel, this.tokenizer, templated, this.manifest.embed.pooling);
      for (const [i, text] of batch.entries()) out.push({ text, ...this.tokenize(text), embed: embed[i] });
    }
    return out;
  }

  private async pooled(model: PreTrainedModel, tokenizer: PreTrainedTokenizer, texts: string[], pooling: PairManifest['embed']['pooling'], run: RunOptions = {}): Promise<Float32Array[]> {
    // A causal-LM export also returns logits, batch × length × V floats (V = 152k for Qwen3):
    // run such a model a few texts at a time so that tensor stays small.
    const returnsLogits = (model as unknown as { sessions?: Record<string, { outputNames: string[] }> }).sessions?.model?.outputNames.includes('logits');
    const step = returnsLogits ? LOGITS_BATCH : texts.length;
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += step) {
      const inputs = tokenizer(texts.slice(start, start + step), {
        padding: true,
        truncation: true,
        max_length: this.manifest.maxLength,
        // The model's own special tokens (e.g. the EOS that last-token embedders are trained to end on).
        add_special_tokens: true,
      });
      const output = await this.runModel<Record<string, Tensor>>(() => model({ input_ids: inputs.input_ids, attention_mask: inputs.attention_mask }), run);
      let hidden: Tensor | undefined = output.last_hidden_state;
      if (!hidden) throw new Error(`A model of this pair returns neither last_hidden_state nor logits with a MatMul before them: it cannot be a body here.`);
      if (hidden.type !== 'float32') hidden = hidden.to('float32');
      const [batch, , dim] = hidden.dims as number[];
      out.push(...poolBatch(hidden.data as Float32Array, inputs.attention_mask.data as BigInt64Array as any, batch, dim, pooling));
    }
    return out;
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

  /**
   * Every layer's pooled state of each text, through the final norm, for both models
   * (runtime/layers.ts), shallow to deep; or, per model, why it has none.
   */
  async encodeLayers(texts: readonly string[], batchSize = 16, run: RunOptions = {}): Promise<LayerEncoding> {
    const embed: Float32Array[][] = [];
    const base: Float32Array[][] = [];
    const reasons: LayerEncoding['reasons'] = {};
    const runs = (which: 'embed' | 'base', model: PreTrainedModel, batch: string[], into: Float32Array[][]) => async () => {
      const states: LayerStates = await this.runModel(() => pooledLayers(model, this.tokenizer, batch, this.manifest[which].pooling, this.manifest.maxLength), run);
      if ('reason' in states) reasons[which] = states.reason;
      else {
        for (const [l, layer] of states.layers.entries()) {
          into[l] ??= [];
          into[l].push(...layer);
        }
      }
    };
    const returnsLogits = (this.baseModel as unknown as { sessions?: Record<string, { outputNames: string[] }> }).sessions?.model?.outputNames.includes('logits');
    const step = returnsLogits ? Math.min(batchSize, LOGITS_BATCH) : batchSize;
    for (let start = 0; start < texts.length && !(reasons.embed && reasons.base); start += step) {
      const batch = texts.slice(start, start + step);
      const templated = batch.map((t) => applyTemplate(this.manifest.embed.template, t));
      if (!reasons.embed) await runs('embed', this.embedModel, templated, embed)();
      if (!reasons.base) await runs('base', this.baseModel, batch, base)();
    }
    if (!reasons.embed && !reasons.base && embed.length !== base.length) {
      reasons.base = `the embedding model has ${embed.length} layers and the base model ${base.length}: they cannot be read side by side`;
    }
    return { texts: texts.map((text) => ({ text, ...this.tokenize(text) })), embed, base, reasons };
  }

  /**
   * u_j and v_j from the pair's bundled sample (paper §4). `run.background`: embedded a few texts per
   * model run behind the page's requests (a Hub pair's sample, after the pair is shown); `early`: also
   * hands over the spectrum of the first `after` texts, so a slider can move before the whole sample is in.
   */
  async spectrum(
    components = 20,
    onProgress?: (done: number, total: number) => void,
    run: RunOptions = {},
    early?: { after: number; take: (spectrum: Spectrum) => void },
  ): Promise<Spectrum> {
    const texts = this.sample;
    if (texts.length < 2) throw new Error(`Pair ${this.manifest.id} has no sample to estimate PC1 from.`);
    // In the background, small runs: a text typed meanwhile waits for at most one of them.
    const batchSize = run.background ? BACKGROUND_BATCH : 32;
    const encoded: EncodedText[] = [];
    let tookEarly = false;
    for (let start = 0; start < texts.length; start += batchSize) {
      encoded.push(...(await this.encode(texts.slice(start, start + batchSize), batchSize, undefined, run)));
      onProgress?.(encoded.length, texts.length);
      if (early && !tookEarly && encoded.length >= early.after && encoded.length < texts.length) {
        tookEarly = true;
        early.take(spectrumOf(encoded, components));
      }
    }
    return spectrumOf(encoded, components);
  }

  async dispose(): Promise<void> {
    await Promise.all([...new Set([this.embedModel, this.baseModel])].map((m) => m.dispose()));
  }
}

/** u_j of the texts' base embeddings (no centering) and v_j, the mean embed − base shift along each. */
function spectrumOf(encoded: EncodedText[], components: number): Spectrum {
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

type ProgressCallback = (info: any) => void;

/** transformers.js reports per-file progress; forward it in our own shape. */
function forwardProgress(onProgress?: ProgressListener): ProgressCallback {
  return (info) => {
    if (!onProgress || !info.file) return;
    const file = `${info.name}/${info.file}`;
    if (info.status === 'progress') onProgress({ file, loaded: info.loaded, total: info.total, done: false });
    if (info.status === 'done') onProgress({ file, loaded: 1, total: 1, done: true });
  };
}

/**
 * The embedder's tokenizer, checked against the base model's vocabulary. A local pair was made
 * together: its base tokenizer is not read (first tokens come sooner).
 */
async function loadTokenizers(manifest: PairManifest, fromHub: boolean, progress_callback: ProgressCallback) {
  const [tokenizer, baseTokenizer] = await Promise.all([
    AutoTokenizer.from_pretrained(manifest.embed.model, { progress_callback }),
    !fromHub || manifest.base.model === manifest.embed.model ? undefined : AutoTokenizer.from_pretrained(manifest.base.model, { progress_callback }),
  ]);
  const vocabSize = tokenizer.get_vocab().size;
  const baseVocabSize = baseTokenizer?.get_vocab().size ?? vocabSize;
  if (baseVocabSize !== vocabSize) {
    throw new Error(
      `The embedding model ${manifest.embed.model} has a vocabulary of ${vocabSize.toLocaleString('en')} tokens and the base model ${manifest.base.model} of ${baseVocabSize.toLocaleString('en')}: their token ids do not line up, so W·h would be meaningless. Choose a pair made from the same model.`,
    );
  }
  return { tokenizer, baseTokenizer, vocabSize };
}

/** Both bodies in the plan's dtype; one model serves both views when they come from one repo (PromptEOL). */
async function loadBodies(manifest: PairManifest, options: LoadOptions, fromHub: boolean, progress_callback: ProgressCallback, weights: { from: WeightsSource }) {
  const { device, plan } = options;
  // In the browser, onnxruntime-web's graph optimizer runs before the browser has finished compiling the
  // runtime's wasm: for the small pairs under models/ it cost more (~1.5 s of a 3 s load, bench/README.md)
  // than it saves at inference. Hub models are large and gain from the fused graph; Node's native optimizer is fast.
  const graphOptimizationLevel = device === 'cpu' || fromHub ? ('all' as const) : ('disabled' as const);
  /** One body; its external data goes as Blobs from the disk cache where onnxruntime reads them from there (fileBlob). */
  const load = async (repo: string) => {
    const variant = plan?.chosen[repo];
    const dtype = variant?.dtype ?? 'fp32';
    let externalChunks = variant?.externalChunks ?? 0;
    if (fromHub && externalChunks === 0 && options.splitter) {
      options.splitter.expect(repo, dtypeFile(dtype));
      externalChunks = 1;
    }
    const files = externalDataFiles(dtypeFile(dtype), externalChunks);
    try {
      const blobs = fromHub && files && options.fileBlob ? await externalDataBlobs(repo, dtypeFile(dtype), files, options.fileBlob, options.hub, progress_callback) : undefined;
      if (blobs) weights.from = 'disk cache';
      return await AutoModel.from_pretrained(repo, {
        device,
        dtype: TJS_DTYPE[dtype],
        use_external_data_format: 0, // whatever config.json says: the chunks are listed below
        progress_callback,
        session_options: { graphOptimizationLevel, externalData: blobs ?? files },
      });
    } catch (error) {
      if (isNetworkWeather(error)) throw error;
      throw new Error(`${repo}: ${dtypeFile(dtype)} could not be loaded: ${(error as Error).message}`, { cause: error });
    }
  };
  if (manifest.base.model === manifest.embed.model) {
    const model = await load(manifest.embed.model);
    return [model, model];
  }
  if (!fromHub) return Promise.all([load(manifest.embed.model), load(manifest.base.model)]);
  // Hub bodies one after the other: while onnxruntime builds a session from bytes, they are held in the
  // page and in its heap at once, so only one body at a time may be in that state. The base first: with
  // its LM head it is the larger, and the smaller one then sets the peak. Read from the disk cache
  // instead (fileBlob), nothing of a body is held in the page, but the embedder still waits: a cache write
  // while onnxruntime reads a Blob from the same cache stalled that read for good in about one load in
  // ten (Chromium 156, an incognito context, e2e under load), so no download overlaps a session's build.
  const base = await load(manifest.base.model);
  try {
    return [await load(manifest.embed.model), base];
  } catch (error) {
    await base.dispose().catch(() => undefined);
    throw error;
  }
}

/**
 * A body's external data chunks as onnxruntime names them and as transformers.js fetches them: the
 * chunks found on the server (whether or not config.json declares them: undeclared external data fails
 * in onnxruntime-web with "Module.MountedFiles is not available"), or the one the splitter makes of a
 * single-file body. Given as session options rather than `use_external_data_format`, whose download
 * of a chunk never settles when the download fails (transformers.js 4.3.1, getModelDataFiles).
 */
function externalDataFiles(graph: string, chunks: number): { path: string; data: string }[] | undefined {
  if (chunks === 0) return undefined;
  return Array.from({ length: chunks }, (_, i) => {
    const file = `${graph}_data${i === 0 ? '' : `_${i}`}`;
    return { path: file.split('/').pop()!, data: file };
  });
}

/**
 * A Hub body's external data as Blobs on disk (LoadOptions.fileBlob), its graph fetched beside them into
 * the same cache, where transformers.js then reads it (a split body's graph and data are one download:
 * asked for together, they are downloaded once). undefined if the cache did not keep a file: the body then
 * goes as bytes, and the graph's download, which may be that same download, is stopped, not finished for nothing.
 */
async function externalDataBlobs(
  repo: string,
  graph: string,
  files: { path: string; data: string }[],
  fileBlob: NonNullable<LoadOptions['fileBlob']>,
  hub: HubClient | undefined,
  progress_callback: ProgressCallback,
): Promise<{ path: string; data: Blob }[] | undefined> {
  const client = hub ?? new HubClient();
  const stop = new AbortController();
  const graphBlob = fileBlob(client.url(repo, graph), undefined, stop.signal);
  graphBlob.catch(() => undefined); // awaited below unless the data failed first
  let blobs: (Blob | undefined)[];
  try {
    blobs = await Promise.all(
      files.map(async ({ data: file }) => {
        const onBytes = (loaded: number, total: number) => progress_callback({ status: 'progress', name: repo, file, loaded, total });
        const blob = await fileBlob(client.url(repo, file), onBytes, stop.signal);
        progress_callback({ status: 'done', name: repo, file });
        return blob;
      }),
    );
  } catch (error) {
    stop.abort();
    throw error;
  }
  if (blobs.some((blob) => blob === undefined)) {
    stop.abort();
    return undefined;
  }
  await graphBlob;
  return files.map(({ path }, i) => ({ path, data: blobs[i]! }));
}

/** transformers.js' name for each dtype. */
const TJS_DTYPE: Record<Dtype, 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16'> = { fp32: 'fp32', fp16: 'fp16', q8: 'q8', q4: 'q4', q4f16: 'q4f16' };

/** W: from the Hub (IndexedDB first) or a file under the model root; it moves once into the projection kernel's memory. */
async function loadHead(manifest: PairManifest, options: LoadOptions, tokenizers: Promise<{ vocabSize: number }>): Promise<LmHead> {
  const source = manifest.lmHead;
  if (!isHubHead(source)) {
    const bytes = await options.read(source.file, options.onProgress);
    return lmHeadFromBytes(bytes, source.rows, source.cols, source.dtype, manifest.vocabSize);
  }
  const [head, { vocabSize }] = await Promise.all([cachedHubHead(source.hub, options), tokenizers]);
  return lmHeadFromBytes(head.data.buffer as ArrayBuffer, head.rows, head.cols, head.dtype, manifest.vocabSize || vocabSize);
}

/** The small files a pair may ship: frequent tokens, the PC1 sample, a precomputed spectrum. */
async function loadExtras(manifest: PairManifest, read: BinaryReader) {
  const [frequent, sample, spectrum] = await Promise.all([
    manifest.frequentTokens ? readText(read, manifest.frequentTokens).then((t) => JSON.parse(t).ids as number[]) : [],
    manifest.sample ? readText(read, manifest.sample).then(splitLines) : [],
    manifest.spectrum ? readText(read, manifest.spectrum).then((t) => parseSpectrum(JSON.parse(t))) : undefined,
  ]);
  return { frequent, sample, spectrum };
}

/** Failures of the network or the server: the files already cached are sound, so they stay. */
function isNetworkWeather(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof DownloadError && e.kind !== 'bad-content') return true;
    if (e instanceof HubError && (e.kind === 'unreachable' || e.kind === 'server' || e.kind === 'unauthorized' || e.kind === 'not-found' || e.kind === 'invalid-id')) return true;
  }
  return false;
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
