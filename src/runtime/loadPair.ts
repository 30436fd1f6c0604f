/**
 * How a pair loads: its tokenizers, W, both bodies and its small files, in an order chosen for memory
 * and for failing early, then one LensPair (pair.ts) built from them. What loads, on which device and from
 * which Hub, was decided before (resolveLoad.ts); here the plan's files reach transformers.js.
 *
 * Hub pairs and pairs shipped under models/ differ in six ways; each is a field of LoadPolicy, chosen
 * once per load by loadPolicy(), with its why beside it. The order of a load:
 *
 *   check repos ─► tokenizers ─► W ─► bodies (one at a time) ─► LensPair        (a Hub pair)
 *   tokenizers ┬ W ┬ bodies (together) ┬ small files ─► LensPair                 (a local pair)
 *
 * A failure names its cause; when the cause may be a file's contents rather than the network's
 * weather, what this attempt downloaded leaves the cache (runtime/downloadLog.ts), so the next
 * attempt downloads afresh.
 */
import { AutoModel, AutoTokenizer, type PreTrainedModel, type PreTrainedTokenizer, type ProgressCallback } from '@huggingface/transformers';
import { type LmHead, lmHeadFromBytes } from '../core/lmHead';
import type { ExternalDataFile } from '../shared/dtypes';
import { type BinaryReader, type ProgressListener, readText } from '../shared/files';
import { isHubHead, type PairManifest } from '../shared/manifest';
import type { Device, WeightsSource } from '../shared/wire';
import { parseSpectrum } from './direction';
import type { DownloadLog } from './downloadLog';
import type { BodySplitter } from './externalDataFetch';
import { cacheMayKeep, Fault, loadFailureMessage } from './faults';
import { checkHubRepos, HubClient, type HubLmHead, loadLmHeadFromHub } from './hub';
import { LensPair } from './pair';
import { bodyRepos, type PairPlan, shippedPlan } from './plan';
import { computedOnOther, fetchSpectrumText, isSpectrumUrl, readSpectrumText } from './spectrumFile';
import { readPairFilesFrom } from './transformersEnv';

export interface LoadOptions {
  /** Where Hub-hosted files come from (default: huggingface.co). */
  hub?: HubClient;
  /** Keeps Hub LM heads between visits (the browser's IndexedDB). */
  headCache?: {
    get(repo: string): Promise<HubLmHead | undefined>;
    put(repo: string, head: HubLmHead): Promise<void>;
  };
  device: Device;
  /** Which variant of each body loads (resolveLoad.ts, plan.ts); default: a shipped pair's, the fp32 graph with its weights inside. */
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

/** The options of one load, its Hub client and plan chosen (loadPair). */
type Loading = LoadOptions & { hub: HubClient; plan: PairPlan };

/** What differs between loading a Hub pair and a pair shipped under models/ (loadPolicy chooses). */
export interface LoadPolicy {
  /**
   * Let transformers.js read the bodies' files under the app's model root, and nowhere else (transformersEnv.ts).
   * Only a pair shipped there: a Hub pair's files come from its Hub alone, or every file would first be asked of the app's
   * own origin, wasted round trips, and a host that answers unknown paths with its index page (200,
   * text/html, as single-page-app hosting does) would have that page taken for the file.
   */
  localFiles: boolean;
  /** Ask the Hub about every repo before anything downloads: a typo or a licence to accept is said at once, not after 0.3 GB. */
  checkReposFirst: boolean;
  /**
   * Read the base model's own tokenizer and check its vocabulary against the embedder's: two Hub repos
   * may not share token ids. A local pair was made together: its base reads with the embedder's
   * tokenizer, and first tokens come sooner.
   */
  readBaseTokenizer: boolean;
  /** Wait for the tokenizers before any large download, so a pair whose vocabularies differ is refused before anything large arrives. */
  tokenizersFirst: boolean;
  /**
   * Load W before the bodies: a Hub W (0.3 GB for Qwen3) has a copy or two on its way in (the download,
   * the IndexedDB write), gone before onnxruntime holds a body twice while it builds that body's session.
   * A local pair is small: all at once.
   */
  headFirst: boolean;
  /**
   * Build the bodies one after the other. While onnxruntime builds a session from bytes, a body is held
   * in the page and in its heap at once, so only one body at a time may be in that state. Read from the
   * disk cache instead (fileBlob), nothing of a body is held in the page, but the embedder still waits:
   * a cache write while onnxruntime reads a Blob from the same cache stalled that read for good in about
   * one load in ten (Chromium 156, an incognito context, e2e under load).
   */
  bodiesInTurn: boolean;
  /**
   * onnxruntime's graph optimizer. In the browser it runs before the browser has finished compiling the
   * runtime's wasm: for the small pairs under models/ it cost more (~1.5 s of a 3 s load, docs/benchmarks.md)
   * than it saves at inference. Hub models are large and gain from the fused graph; Node's native optimizer is fast.
   */
  graphOptimizationLevel: 'all' | 'disabled';
  /** Serve a single-file body as graph + external data (LoadOptions.splitter), so onnxruntime-web holds its weights once. */
  splitSingleFileBodies: boolean;
  /** Hand onnxruntime each body's external data as Blobs from the disk cache (LoadOptions.fileBlob) rather than as bytes. */
  weightsFromDiskCache: boolean;
}

/** The policy of one load: a Hub pair's (its W named on the Hub) or a local pair's. */
export function loadPolicy(manifest: PairManifest, device: Device): LoadPolicy {
  const hub = isHubHead(manifest.lmHead);
  return {
    localFiles: !hub,
    checkReposFirst: hub,
    readBaseTokenizer: hub && manifest.base.model !== manifest.embed.model,
    tokenizersFirst: hub,
    headFirst: hub,
    bodiesInTurn: hub,
    graphOptimizationLevel: device === 'cpu' || hub ? 'all' : 'disabled',
    splitSingleFileBodies: hub,
    weightsFromDiskCache: hub,
  };
}

/** Loads a pair. A failure names its cause; when the cause may be a file's contents, what this attempt downloaded leaves the cache. */
export async function loadPair(manifest: PairManifest, options: LoadOptions): Promise<LensPair> {
  options.downloads?.reset();
  const policy = loadPolicy(manifest, options.device);
  // One Hub client for the whole load (checks, W, bodies, their Blobs): the caller's, else huggingface.co's.
  const hub = options.hub ?? new HubClient();
  readPairFilesFrom(policy.localFiles ? 'model root' : { hubUrl: hub.baseUrl });
  try {
    return await loadFiles(manifest, { ...options, hub, plan: options.plan ?? shippedPlan(manifest) }, policy);
  } catch (error) {
    const forgotten = cacheMayKeep(error) ? 0 : ((await options.downloads?.forget().catch(() => 0)) ?? 0);
    throw new Error(loadFailureMessage(error, { forgotten, setup: manifest.setup }), { cause: error });
  }
}

async function loadFiles(manifest: PairManifest, options: Loading, policy: LoadPolicy): Promise<LensPair> {
  if (policy.checkReposFirst) await checkHubRepos(options.hub, [...bodyRepos(manifest), (manifest.lmHead as { hub: string }).hub]);
  const progress = forwardProgress(options.onProgress);
  const tokenizers = loadTokenizers(manifest, policy, progress);
  if (policy.tokenizersFirst) await tokenizers;
  const headLoad = options.head ?? loadHead(manifest, options, tokenizers);
  if (policy.headFirst) await headLoad;
  const bodies = loadBodies(manifest, options, policy, progress);
  let loaded: [Awaited<typeof tokenizers>, Awaited<typeof bodies>, LmHead, Awaited<ReturnType<typeof loadExtras>>];
  try {
    loaded = await Promise.all([tokenizers, bodies, headLoad, loadExtras(manifest, options.read, options.onProgress)]);
  } catch (error) {
    // Bodies that loaded before W or a small file failed are freed, not left in onnxruntime's heap.
    await bodies.then(disposeBodies, () => undefined);
    throw error;
  }
  const [{ embed: embedTokenizer, base: baseTokenizer, vocabSize }, models, head, extras] = loaded;
  if (head.rows < vocabSize) {
    await disposeBodies(models);
    throw new Error(`The LM head of ${manifest.base.model} has ${head.rows} rows but its tokenizer ${vocabSize} tokens.`);
  }
  return new LensPair({
    manifest,
    device: options.device,
    dtype: options.plan.dtype,
    bodies: { embed: { model: models.embed.model, tokenizer: embedTokenizer }, base: { model: models.base.model, tokenizer: baseTokenizer } },
    head,
    frequentIds: extras.frequent,
    sample: extras.sample,
    storedSpectrum: extras.spectrum,
    weightsFrom: models.embed.weightsFrom === 'disk cache' && models.base.weightsFrom === 'disk cache' ? 'disk cache' : 'bytes',
  });
}

/**
 * transformers.js reports per-file progress; forward it in our own shape. Its 'done' carries no size: the
 * file's last known size goes with it (0: unknown), so a finished file still counts its bytes in the total.
 */
function forwardProgress(onProgress?: ProgressListener): ProgressCallback {
  const sizes = new Map<string, number>();
  return (info) => {
    if (!onProgress || !('file' in info)) return;
    const file = `${info.name}/${info.file}`;
    if (info.status === 'progress') {
      sizes.set(file, info.total || info.loaded);
      onProgress({ file, loaded: info.loaded, total: info.total, done: false });
    }
    if (info.status === 'done') {
      const size = sizes.get(file) ?? 0;
      onProgress({ file, loaded: size, total: size, done: true });
    }
  };
}

/** Each body's tokenizer (the embedder's serves both unless the policy reads the base's), checked to share one vocabulary. */
async function loadTokenizers(manifest: PairManifest, policy: LoadPolicy, progress_callback: ProgressCallback) {
  const [embed, base] = await Promise.all([
    AutoTokenizer.from_pretrained(manifest.embed.model, { progress_callback }),
    policy.readBaseTokenizer ? AutoTokenizer.from_pretrained(manifest.base.model, { progress_callback }) : undefined,
  ]);
  const vocabSize = embed.get_vocab().size;
  const baseVocabSize = base?.get_vocab().size ?? vocabSize;
  if (baseVocabSize !== vocabSize) {
    throw new Error(
      `The embedding model ${manifest.embed.model} has a vocabulary of ${vocabSize.toLocaleString('en')} tokens and the base model ${manifest.base.model} of ${baseVocabSize.toLocaleString('en')}: their token ids do not line up, so W·h would be meaningless. Choose a pair made from the same model.`,
    );
  }
  return { embed, base: base ?? embed, vocabSize } satisfies { embed: PreTrainedTokenizer; base: PreTrainedTokenizer; vocabSize: number };
}

interface LoadedBody {
  model: PreTrainedModel;
  weightsFrom: WeightsSource;
}

async function disposeBodies(bodies: { embed: LoadedBody; base: LoadedBody }): Promise<void> {
  await Promise.all([...new Set([bodies.embed.model, bodies.base.model])].map((m) => m.dispose().catch(() => undefined)));
}

/** Both bodies in the plan's dtype; one model serves both when they come from one repo (PromptEOL). */
async function loadBodies(
  manifest: PairManifest,
  options: Loading,
  policy: LoadPolicy,
  progress: ProgressCallback,
): Promise<{ embed: LoadedBody; base: LoadedBody }> {
  const load = (repo: string) => loadBody(repo, options, policy, progress);
  if (manifest.base.model === manifest.embed.model) {
    const body = await load(manifest.embed.model);
    return { embed: body, base: body };
  }
  if (!policy.bodiesInTurn) {
    const [embed, base] = await Promise.all([load(manifest.embed.model), load(manifest.base.model)]);
    return { embed, base };
  }
  // The base first: with its LM head it is the larger, and the smaller one then sets the peak.
  const base = await load(manifest.base.model);
  try {
    return { embed: await load(manifest.embed.model), base };
  } catch (error) {
    await base.model.dispose().catch(() => undefined);
    throw error;
  }
}

/** One body; its external data as Blobs from the disk cache where the policy and the options allow, else as bytes. */
async function loadBody(repo: string, options: Loading, policy: LoadPolicy, progress_callback: ProgressCallback): Promise<LoadedBody> {
  const { dtype, graph, externalData } = options.plan.chosen[repo];
  // The chunks found on the server, whether or not config.json declares them (undeclared external data fails in
  // onnxruntime-web with "Module.MountedFiles is not available"). Given as session options rather than
  // `use_external_data_format`, whose download of a chunk never settles when the download fails (transformers.js 4.3.1,
  // getModelDataFiles).
  const files = externalData.length ? externalData : policy.splitSingleFileBodies ? options.splitter?.expect(repo, graph) : undefined;
  try {
    const blobs =
      policy.weightsFromDiskCache && files && options.fileBlob
        ? await externalDataBlobs(repo, graph, files, options.fileBlob, options.hub, progress_callback)
        : undefined;
    const model = await AutoModel.from_pretrained(repo, {
      device: options.device,
      dtype,
      use_external_data_format: 0, // whatever config.json says: the chunks are listed below
      progress_callback,
      session_options: { graphOptimizationLevel: policy.graphOptimizationLevel, externalData: blobs ?? files },
    });
    return { model, weightsFrom: blobs ? 'disk cache' : 'bytes' };
  } catch (error) {
    if (cacheMayKeep(error)) throw error;
    throw new Fault('bad-file', { repo, file: graph, cause: error });
  }
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
  files: ExternalDataFile[],
  fileBlob: NonNullable<LoadOptions['fileBlob']>,
  hub: HubClient,
  progress_callback: ProgressCallback,
): Promise<{ path: string; data: Blob }[] | undefined> {
  const stop = new AbortController();
  const graphBlob = fileBlob(hub.url(repo, graph), undefined, stop.signal);
  graphBlob.catch(() => undefined); // awaited below unless the data failed first
  let blobs: (Blob | undefined)[];
  try {
    blobs = await Promise.all(
      files.map(async ({ data: file }) => {
        const onBytes = (loaded: number, total: number) =>
          progress_callback({ status: 'progress', name: repo, file, loaded, total, progress: total ? (loaded / total) * 100 : 0 });
        const blob = await fileBlob(hub.url(repo, file), onBytes, stop.signal);
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

/** W: from the Hub (IndexedDB first) or a file under the model root; it moves once into the projection kernel's memory. */
async function loadHead(manifest: PairManifest, options: Loading, tokenizers: Promise<{ vocabSize: number }>): Promise<LmHead> {
  const source = manifest.lmHead;
  if (!isHubHead(source)) {
    const bytes = await options.read(source.file, options.onProgress);
    return lmHeadFromBytes(bytes, source.rows, source.cols, source.dtype, manifest.vocabSize);
  }
  const [head, { vocabSize }] = await Promise.all([cachedHubHead(source.hub, options), tokenizers]);
  return lmHeadFromBytes(head.data.buffer as ArrayBuffer, head.rows, head.cols, head.dtype, manifest.vocabSize || vocabSize);
}

async function cachedHubHead(repo: string, options: Loading): Promise<HubLmHead> {
  const cached = await options.headCache?.get(repo).catch(() => undefined);
  if (cached) return cached;
  const head = await loadLmHeadFromHub(options.hub, repo, options.onProgress);
  await options.headCache?.put(repo, head).catch(() => undefined); // a full disk only costs the next visit a download
  return head;
}

/** The small files a pair may ship: frequent tokens, the PC1 sample, a precomputed spectrum. */
async function loadExtras(manifest: PairManifest, read: BinaryReader, onProgress?: ProgressListener) {
  const [frequent, sample, spectrum] = await Promise.all([
    manifest.frequentTokens ? readText(read, manifest.frequentTokens, onProgress).then((t) => JSON.parse(t).ids as number[]) : [],
    manifest.sample ? readText(read, manifest.sample, onProgress).then(splitLines) : [],
    manifest.spectrum ? shippedSpectrum(manifest, manifest.spectrum, read, onProgress) : undefined,
  ]);
  return { frequent, sample, spectrum };
}

/**
 * The spectrum a pair ships (a manifest's or a catalog entry's `spectrum`): a path under the model root, or an
 * http(s) URL. One that names other models than the pair's is refused, naming them (its width is checked once W is in).
 */
async function shippedSpectrum(manifest: PairManifest, path: string, read: BinaryReader, onProgress?: ProgressListener) {
  const file = readSpectrumText(isSpectrumUrl(path) ? await fetchSpectrumText(path) : await readText(read, path, onProgress), path);
  const other = computedOnOther(file, manifest);
  if (other) throw new Error(`${path} was ${other}, not on ${manifest.embed.model} with ${manifest.base.model}.`);
  return parseSpectrum(file);
}

function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}
