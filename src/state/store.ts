import { create } from 'zustand';
import { hubUrlProblem } from '../shared/hubUrl';
import { needsHub, parsePairId } from '../shared/pairId';
import type { AlignResult, BackendChoice, CachedModel, ColumnResult, ComputedOn, DirectionProgress, Dtype, FileProgress, LoadEstimate, PairInfo } from '../worker/protocol';
import { lensClient, messageOf, proxyCallback, restartLensClient } from './lensClient';
import { DEFAULT_VIEW, readViewState, type ViewId, type ViewState, writeViewState } from './urlState';

export type ModelStatus = 'idle' | 'loading' | 'confirm' | 'ready' | 'error';

export interface LensState extends ViewState {
  status: ModelStatus;
  files: Record<string, FileProgress>;
  pairInfo?: PairInfo;
  result?: AlignResult;
  /** The base column at the current λ (follows the slider). */
  baseView?: ColumnResult;
  /** Where the slider's u_1 / v_1 come from: the pair's bundled sample or a dataset analysis. */
  directionSource: string;
  /**
   * While a pair's PC1 sample is embedded after it loads: how far, or why it failed. The slider waits
   * (pairInfo.direction 'estimating') for the first texts, then moves while the rest refine u₁.
   */
  directionProgress?: { done: number; total: number; error?: string };
  /** The slider's u₁ comes from the pair's sample (not from an analysis applied to it). */
  directionFromSample: boolean;
  /** Something went wrong: shown in the error area, the rest of the view is kept. */
  error?: string;
  /** An alignment is being computed. */
  computing: boolean;

  /** Pair whose load the user is asked to confirm, and the one to return to. */
  previous?: { pair: string; pairInfo?: PairInfo };
  /** Why the user is asked (status 'confirm'): a link that would download from the Hub, or a pair that may not fit. */
  question?: LoadQuestion;
  estimate?: LoadEstimate;
  cache?: CachedModel[];

  /**
   * Loads a pair. `fromLink`: the page was opened on this pair (a link asks before downloading from the
   * Hub); `force`: the user has said yes to the question asked.
   */
  loadPair(pair?: string, backend?: BackendChoice, options?: { force?: boolean; fromLink?: boolean; dtype?: Dtype | '' }): Promise<void>;
  /** Sizes a Hub pair and lists its variants (HEAD requests only); undefined (and the error shown) if that fails. */
  inspectPair(pair: string, backend: BackendChoice, hubUrl: string): Promise<LoadEstimate | undefined>;
  /** Aborts a download (restarting the worker) and returns to the previous pair. */
  cancelLoad(): Promise<void>;
  setHub(url: string): void;
  refreshCache(): Promise<void>;
  /** Deletes one cached repo, or everything with null. */
  deleteCached(repo: string | null): Promise<void>;
  setView(view: ViewId): void;
  setText(text: string): void;
  setLambda(lambda: number): void;
  setK(k: number): void;
  dismissError(): void;
  /**
   * Moves the slider along a new u_1 with its v_j (e.g. from the Analysis view), computed on
   * `computedOn`: the worker refuses one from another pair or load, and the error says so.
   */
  applyDirection(u1: number[], variation: number[], shares: number[], source: string, computedOn: ComputedOn): Promise<void>;
  reportError(message: string): void;
}

const TEXT_DEBOUNCE_MS = 150;

/** A link may load a Hub pair this small without asking (bytes). */
const LINK_SILENT_BYTES = 5e6;

export type LoadQuestion =
  /** A link names a Hub other than huggingface.co: nothing is sent to it before the user agrees. */
  | { kind: 'link-host'; host: string; repos: string[] }
  /** A link names a Hub pair of this size. */
  | { kind: 'link'; host: string; repos: string[]; bytes: number }
  /** The pair may not fit in this device's memory. */
  | { kind: 'memory'; bytes: number; deviceBytes?: number };

const DEFAULT_HUB_HOST = 'huggingface.co';

/** The repos a pair id names, without asking anyone (for the link question). */
function reposOf(pair: string): string[] {
  try {
    const source = parsePairId(pair);
    if (source.kind === 'prompt-eol') return [source.model];
    if (source.kind === 'custom') return [...new Set([source.spec.embed, source.spec.base, source.spec.head ?? source.spec.base])];
  } catch {}
  return [pair];
}

/** The host a Hub URL names (an http(s) URL: hubUrlProblem has checked it). */
const hostOf = (hubUrl: string) => new URL(hubUrl).host;

// Each request gets an id; a reply older than the newest request is dropped.
let latestAlign = 0;
let latestShift = 0;
let loadTicket = 0;
let textTimer: ReturnType<typeof setTimeout> | undefined;
let shiftInFlight = false;
let shiftPending = false;

/** `debug=webgpu-mismatch` / `debug=lose-device`: test seams for the WebGPU fallbacks (the models still run for real). */
const debugSeam = () => new URLSearchParams(globalThis.location?.search ?? '').get('debug');

export const useLens = create<LensState>()((set, get) => {
  const align = async () => {
    const { text, k, lambda, status } = get();
    if (status !== 'ready') return;
    const requestId = ++latestAlign;
    if (text.trim().length === 0) {
      set({ result: undefined, baseView: undefined, computing: false });
      return;
    }
    set({ computing: true });
    try {
      const result = await lensClient().align(requestId, text, k, lambda);
      if (requestId !== latestAlign) return;
      set({ result, baseView: result.base, computing: false, error: undefined });
    } catch (error) {
      if (requestId === latestAlign) set({ computing: false, error: messageOf(error) });
    }
  };

  // Slider ticks: at most one request in flight; the newest λ wins.
  const shift = async () => {
    const { result } = get();
    if (!result) return;
    if (shiftInFlight) {
      shiftPending = true;
      return;
    }
    shiftInFlight = true;
    const ticket = ++latestShift;
    try {
      const { lambda, k } = get();
      const view = await lensClient().shift(result.requestId, lambda, k);
      if (view && ticket === latestShift && get().result?.requestId === result.requestId) set({ baseView: view });
    } catch (error) {
      set({ error: messageOf(error) });
    } finally {
      shiftInFlight = false;
      if (shiftPending) {
        shiftPending = false;
        void shift();
      }
    }
  };

  /** The pair to fall back to: the one showing, or (after "Load anyway" on a question) the one that was. */
  const pairToFallBackTo = () => {
    const { status, pair, pairInfo, previous } = get();
    return status === 'ready' ? { pair, pairInfo } : status === 'confirm' ? previous : undefined;
  };

  /**
   * What to ask before a Hub pair downloads, if anything. A link never makes the page contact a Hub other
   * than huggingface.co, nor download more than a few MB, without a yes; any pair that may not fit asks too.
   * A pair that cannot load at all in this dtype (too large for onnxruntime-web) fails here, before downloading.
   */
  const askBeforeDownloading = async (pair: string, backend: BackendChoice, dtype: Dtype | '', fromLink: boolean): Promise<LoadQuestion | undefined> => {
    const hubUrl = get().hub || undefined;
    const problem = hubUrl && hubUrlProblem(hubUrl);
    if (problem) throw new Error(problem);
    const host = hubUrl ? hostOf(hubUrl) : DEFAULT_HUB_HOST;
    if (fromLink && host !== DEFAULT_HUB_HOST) return { kind: 'link-host', host, repos: reposOf(pair) };
    const estimate = await lensClient().estimate(pair, hubUrl, backend, dtype || undefined);
    set({ estimate });
    if (estimate.refusal) throw new Error(estimate.refusal);
    if (!estimate.fits) return { kind: 'memory', bytes: estimate.memoryBytes, deviceBytes: estimate.deviceBytes };
    if (fromLink && estimate.totalBytes > LINK_SILENT_BYTES) return { kind: 'link', host, repos: estimate.repos, bytes: estimate.totalBytes };
    return undefined;
  };

  const downloadAndLoad = async (pair: string, backend: BackendChoice, dtype: Dtype | '', ticket: number) => {
    const onProgress = proxyCallback((p: FileProgress) => {
      if (ticket === loadTicket) set((s) => ({ files: { ...s.files, [p.file]: p } }));
    });
    await followDirection();
    return lensClient().load(pair, backend, onProgress, get().hub || undefined, { distortWebgpu: debugSeam() === 'webgpu-mismatch', dtype: dtype || undefined });
  };

  /**
   * A pair that ships no spectrum embeds its PC1 sample after loading: follow it, and enable the slider
   * when u₁ arrives. Registered before each load (a small sample may be done before load() returns);
   * the latest report is kept until the store holds the load it belongs to.
   */
  let latestDirection: DirectionProgress | undefined;
  const applyDirectionProgress = (progress: DirectionProgress) => {
    const { pairInfo, directionFromSample } = get();
    if (pairInfo?.loadId !== progress.loadId) return;
    const { done, total, error, spectrum, final } = progress;
    set({ directionProgress: final ? undefined : { done, total, error } });
    // A direction applied from an analysis meanwhile is kept (the worker keeps it too).
    if (!spectrum || !directionFromSample) return;
    set({ pairInfo: { ...pairInfo, ...spectrum, direction: 'ready' }, directionSource: `${spectrum.sampleSize} sample sentences` });
    if (get().lambda !== 0) void shift();
  };
  const followDirection = () =>
    lensClient().onDirection(
      proxyCallback((progress: DirectionProgress) => {
        latestDirection = progress;
        applyDirectionProgress(progress);
      }),
    );

  /** If the WebGPU device is lost, restart the worker on WASM and load the same pair, keeping the view. */
  const recoverOnWasmIfTheDeviceIsLost = async (pair: string) => {
    await lensClient().onDeviceLost(
      proxyCallback(async (reason: string) => {
        loadTicket++;
        restartLensClient();
        set({ status: 'idle', previous: undefined });
        await get().loadPair(pair, 'wasm', { force: true });
        const info = get().pairInfo;
        if (info) set({ pairInfo: { ...info, notice: `The WebGPU device was lost (${reason}): now running on WASM.` } });
      }),
    );
    if (debugSeam() === 'lose-device') setTimeout(() => void lensClient().loseDevice(), 500);
  };

  return {
    ...readViewState(globalThis.location?.search ?? ''),
    status: 'idle',
    files: {},
    directionSource: 'the bundled sample',
    directionFromSample: true,
    computing: false,

    async loadPair(pair = get().pair, backend = get().backend, options = {}) {
      const backendChanged = backend !== get().backend && get().status !== 'idle';
      // onnxruntime's build is fixed per worker (see lens.worker.ts): another backend gets a fresh worker,
      // so there is no loaded pair to fall back to.
      if (backendChanged) restartLensClient();
      const previous = backendChanged ? undefined : pairToFallBackTo();
      const ticket = ++loadTicket;
      const isStale = () => ticket !== loadTicket;
      const dtype = options.dtype ?? get().dtype;
      set({ pair, backend, dtype, status: 'loading', files: {}, error: undefined, estimate: undefined, question: undefined });
      try {
        if (needsHub(pair) && !options.force) {
          const question = await askBeforeDownloading(pair, backend, dtype, options.fromLink ?? false);
          if (isStale()) return;
          if (question) {
            set({ status: 'confirm', question, previous });
            return;
          }
        }
        const pairInfo = await downloadAndLoad(pair, backend, dtype, ticket);
        if (isStale()) return;
        await recoverOnWasmIfTheDeviceIsLost(pair);
        const estimating = pairInfo.direction === 'estimating';
        set({
          pairInfo,
          status: 'ready',
          directionSource: estimating ? 'the pair’s sample, being embedded' : `${pairInfo.sampleSize} sample sentences`,
          directionFromSample: true,
          directionProgress: estimating ? { done: 0, total: 0 } : undefined,
          result: undefined,
          baseView: undefined,
        });
        if (estimating && latestDirection) applyDirectionProgress(latestDirection);
        await align();
      } catch (error) {
        if (isStale()) return;
        // The worker keeps the pair it had until a new one loads: fall back to it, keeping the view.
        if (previous) set({ status: 'ready', pair: previous.pair, pairInfo: previous.pairInfo, error: messageOf(error) });
        else set({ status: 'error', error: messageOf(error) });
      }
    },

    async inspectPair(pair, backend, hubUrl) {
      try {
        const problem = hubUrl && hubUrlProblem(hubUrl);
        if (problem) throw new Error(problem);
        return await lensClient().estimate(pair, hubUrl || undefined, backend);
      } catch (error) {
        set({ error: messageOf(error) });
        return undefined;
      }
    },

    async cancelLoad() {
      const { previous } = get();
      const restore = previous?.pair ?? (get().pair !== DEFAULT_VIEW.pair ? DEFAULT_VIEW.pair : undefined);
      loadTicket++;
      restartLensClient();
      set({ status: 'idle', files: {}, estimate: undefined, question: undefined, error: 'Loading was cancelled; nothing else changed.' });
      if (restore) {
        await get().loadPair(restore);
        set({ error: 'Loading was cancelled; the previous pair is back.' });
      }
    },

    setHub(hub) {
      set({ hub: hub.trim() });
    },

    async refreshCache() {
      try {
        set({ cache: await lensClient().listCache() });
      } catch (error) {
        set({ error: messageOf(error) });
      }
    },

    async deleteCached(repo) {
      await lensClient().deleteCached(repo);
      await get().refreshCache();
    },

    setView(view) {
      set({ view });
    },

    setText(text) {
      set({ text });
      clearTimeout(textTimer);
      textTimer = setTimeout(() => void align(), TEXT_DEBOUNCE_MS);
    },

    setLambda(lambda) {
      set({ lambda });
      void shift();
    },

    setK(k) {
      set({ k });
      void align();
    },

    dismissError() {
      set({ error: undefined });
    },

    async applyDirection(u1, variation, shares, source, computedOn) {
      try {
        await lensClient().setDirection(u1, computedOn);
      } catch (error) {
        set({ error: messageOf(error) });
        return;
      }
      // A load that finished meanwhile brought its own direction.
      const { pairInfo } = get();
      if (pairInfo?.loadId !== computedOn.loadId) return;
      set({ pairInfo: { ...pairInfo, variation, shares, direction: 'ready' }, directionSource: source, directionProgress: undefined, directionFromSample: false });
      await align();
    },

    reportError(message) {
      set({ error: message });
    },
  };
});

// Keep the URL in step with the view so a copied link reopens it.
let urlTimer: ReturnType<typeof setTimeout> | undefined;
useLens.subscribe((state) => {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const { view, pair, text, lambda, k, backend, hub, dtype } = state;
    const search = writeViewState({ view, pair, text, lambda, k, backend, hub, dtype }, location.search);
    if (search !== location.search) history.replaceState(null, '', `${location.pathname}${search}${location.hash}`);
  }, 250);
});
