import { create } from 'zustand';
import type { AlignResult, BackendChoice, ColumnResult, FileProgress, PairInfo } from '../worker/protocol';
import { lensClient, messageOf, proxyCallback } from './lensClient';
import { readViewState, type ViewId, type ViewState, writeViewState } from './urlState';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

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

  loadPair(pair?: string, backend?: BackendChoice): Promise<void>;
  setView(view: ViewId): void;
  setText(text: string): void;
  setLambda(lambda: number): void;
  setK(k: number): void;
  dismissError(): void;
  /** Moves the slider along a new u_1 with its v_j (e.g. from the Analysis view). */
  applyDirection(u1: number[], variation: number[], shares: number[], source: string): Promise<void>;
  reportError(message: string): void;
}

const TEXT_DEBOUNCE_MS = 150;

// Each request gets an id; a reply older than the newest request is dropped.
let latestAlign = 0;
let latestShift = 0;
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

    async loadPair(pair = get().pair, backend = get().backend) {
      set({ pair, backend, status: 'loading', files: {}, error: undefined, result: undefined, baseView: undefined });
      try {
        const onProgress = proxyCallback((p: FileProgress) => set((s) => ({ files: { ...s.files, [p.file]: p } })));
        const pairInfo = await lensClient().load(pair, backend, onProgress);
        set({ pairInfo, status: 'ready', directionSource: `${pairInfo.sampleSize} sample sentences` });
        await align();
      } catch (error) {
        set({ status: 'error', error: messageOf(error) });
      }
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

    async applyDirection(u1, variation, shares, source) {
      await lensClient().setDirection(u1);
      const { pairInfo } = get();
      if (pairInfo) set({ pairInfo: { ...pairInfo, variation, shares }, directionSource: source });
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
    const { view, pair, text, lambda, k, backend } = state;
    const search = writeViewState({ view, pair, text, lambda, k, backend }, location.search);
    if (search !== location.search) history.replaceState(null, '', `${location.pathname}${search}${location.hash}`);
  }, 250);
});
