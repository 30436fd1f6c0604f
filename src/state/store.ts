import { create } from 'zustand';
import { needsHub } from '../shared/pairId';
import type { AlignResult, BackendChoice, CachedModel, ColumnResult, ComputedOn, FileProgress, LoadEstimate, PairInfo } from '../worker/protocol';
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
  /** Something went wrong: shown in the error area, the rest of the view is kept. */
  error?: string;
  /** An alignment is being computed. */
  computing: boolean;

  /** Pair whose load the user is asked to confirm (too large), and the one to return to. */
  previous?: { pair: string; pairInfo?: PairInfo };
  estimate?: LoadEstimate;
  cache?: CachedModel[];

  loadPair(pair?: string, backend?: BackendChoice, options?: { force?: boolean }): Promise<void>;
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

// Each request gets an id; a reply older than the newest request is dropped.
let latestAlign = 0;
let latestShift = 0;
let loadTicket = 0;
let textTimer: ReturnType<typeof setTimeout> | undefined;
let shiftInFlight = false;
let shiftPending = false;

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

  return {
    ...readViewState(globalThis.location?.search ?? ''),
    status: 'idle',
    files: {},
    directionSource: 'the bundled sample',
    computing: false,

    async loadPair(pair = get().pair, backend = get().backend, options = {}) {
      const { status } = get();
      const backendChanged = backend !== get().backend && status !== 'idle';
      // onnxruntime's build is fixed per worker (see lens.worker.ts): another backend gets a fresh worker,
      // so there is no loaded pair to fall back to.
      if (backendChanged) restartLensClient();
      // The pair to fall back to: the one showing, or (after "Load anyway" on a memory warning) the one that was.
      const previous = backendChanged
        ? undefined
        : status === 'ready'
          ? { pair: get().pair, pairInfo: get().pairInfo }
          : status === 'confirm'
            ? get().previous
            : undefined;
      const ticket = ++loadTicket;
      const hubUrl = get().hub || undefined;
      set({ pair, backend, status: 'loading', files: {}, error: undefined, estimate: undefined });
      try {
        // Hub pairs are sized first: a pair that will not fit in memory asks before downloading.
        if (needsHub(pair) && !options.force) {
          const estimate = await lensClient().estimate(pair, hubUrl);
          if (ticket !== loadTicket) return;
          set({ estimate });
          if (!estimate.fits) {
            set({ status: 'confirm', previous });
            return;
          }
        }
        const onProgress = proxyCallback((p: FileProgress) => {
          if (ticket === loadTicket) set((s) => ({ files: { ...s.files, [p.file]: p } }));
        });
        // `debug=webgpu-mismatch` / `debug=lose-device`: test seams for the WebGPU fallbacks (the models still run for real).
        const debug = new URLSearchParams(globalThis.location?.search ?? '').get('debug');
        const pairInfo = await lensClient().load(pair, backend, onProgress, hubUrl, { distortWebgpu: debug === 'webgpu-mismatch' });
        if (ticket !== loadTicket) return;
        await lensClient().onDeviceLost(
          proxyCallback(async (reason: string) => {
            loadTicket++;
            restartLensClient();
            set({ status: 'idle', previous: undefined });
            await get().loadPair(pair, 'wasm');
            const info = get().pairInfo;
            if (info) set({ pairInfo: { ...info, notice: `The WebGPU device was lost (${reason}): now running on WASM.` } });
          }),
        );
        if (debug === 'lose-device') setTimeout(() => void lensClient().loseDevice(), 500);
        set({ pairInfo, status: 'ready', directionSource: `${pairInfo.sampleSize} sample sentences`, result: undefined, baseView: undefined });
        await align();
      } catch (error) {
        if (ticket !== loadTicket) return;
        // The worker keeps the pair it had until a new one loads: fall back to it, keeping the view.
        if (previous) set({ status: 'ready', pair: previous.pair, pairInfo: previous.pairInfo, error: messageOf(error) });
        else set({ status: 'error', error: messageOf(error) });
      }
    },

    async cancelLoad() {
      const { previous } = get();
      const restore = previous?.pair ?? (get().pair !== DEFAULT_VIEW.pair ? DEFAULT_VIEW.pair : undefined);
      loadTicket++;
      restartLensClient();
      set({ status: 'idle', files: {}, estimate: undefined, error: 'Loading was cancelled; nothing else changed.' });
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
      set({ pairInfo: { ...pairInfo, variation, shares }, directionSource: source });
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
    const { view, pair, text, lambda, k, backend, hub } = state;
    const search = writeViewState({ view, pair, text, lambda, k, backend, hub }, location.search);
    if (search !== location.search) history.replaceState(null, '', `${location.pathname}${search}${location.hash}`);
  }, 250);
});
