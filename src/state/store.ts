import { create } from 'zustand';
import { hubUrlProblem } from '../shared/hubUrl';
import { DEFAULT_VIEW, readLink, readViewState, type ViewId, type ViewState } from '../shared/linkSchema';
import { needsHub, parsePairId } from '../shared/pairId';
import type {
  AlignResult,
  AppliedAnalysis,
  BackendChoice,
  CachedModel,
  ColumnResult,
  ComputedOn,
  DirectionState,
  DirectionUpdate,
  Dtype,
  FileProgress,
  LoadEstimate,
  LoadStep,
  PairInfo,
  PlannedFiles,
  ReadyDirection,
} from '../worker/protocol';
import { lensClient, onWorkerStart, proxyCallback, restartLensClient } from './lensClient';
import { newestWins, oneInFlight } from './newestWins';
import { errorMessage, type LoadRequest, type MessageSource, type PageMessage, type PageMessages, pageNotice, withMessage } from './pageMessages';
import { LoadWatchdog, STALL_MS, type Stall } from './watchdog';

/** A pair the page has loaded: the one to fall back to when a load fails, or to return to when it is cancelled. */
export interface LoadedPair {
  pair: string;
  pairInfo: PairInfo;
}

/**
 * Where loading `pair` stands; each phase carries what holds in it alone. The pair loaded before (`pairInfo`,
 * with its direction) is not part of it: it stays shown until a load replaces it (the worker keeps it until then).
 */
export type LoadPhase =
  /** Nothing loaded yet, or a load was cancelled or the worker restarted (a reload follows). */
  | { phase: 'idle' }
  /**
   * Downloading and loading: a bar per file; the pair's size once asked (a Hub pair); the pair showing when the
   * load began (the one to fall back to or return to); and the newest change of the new load's direction heard
   * before the store holds that load (a small sample may be done before load() returns).
   */
  | {
      phase: 'loading';
      files: Record<string, FileProgress>;
      /** The files the load will read, sized before it starts (a pair under the model root): the total (downloadTotal.ts). */
      planned?: PlannedFiles;
      estimate?: LoadEstimate;
      previous?: LoadedPair;
      direction?: DirectionUpdate;
      /** Nothing has moved for a while: what the load waits on (the load watchdog, watchdog.ts). */
      stalled?: Stall;
    }
  /** The user is asked before the pair downloads (see LoadQuestion). */
  | { phase: 'confirm'; question: LoadQuestion; estimate?: LoadEstimate; previous?: LoadedPair }
  /** `pairInfo` is loaded, or back after a failed load. */
  | { phase: 'ready' }
  /** The load failed and there was no pair to fall back to. */
  | { phase: 'error'; reason: string };

type Loading = Extract<LoadPhase, { phase: 'loading' }>;

/** The load phase's name (the model status line's class). */
export type ModelStatus = LoadPhase['phase'];

export interface LensState extends ViewState {
  /** Where loading `pair` stands. */
  load: LoadPhase;
  /**
   * The pair last loaded: shown, and held by the worker, while another loads, asks or fails. Its `direction` is
   * the worker's, stored as each change arrives (the slider's u₁ and v₁).
   */
  pairInfo?: PairInfo;
  result?: AlignResult;
  /** The base column at the current λ (follows the slider). */
  baseView?: ColumnResult;
  /**
   * What the page tells the user, by source (pageMessages.ts): errors in the error area, notices apart; the rest
   * of the view is kept. A failed load's message says whether Retry may help (its fault's kind).
   */
  messages: PageMessages;
  /** An alignment is being computed. */
  computing: boolean;
  cache?: CachedModel[];
  /** Per catalog id, whether the pair can load from here (the pair picker marks the others); asked by `inspectBrowser`. */
  catalogAvailable?: Record<string, boolean>;
  /** What backend=auto picks in this browser (the worker's own adapter check); asked by `inspectBrowser`. */
  autoBackend?: { device: 'webgpu' | 'wasm'; shaderF16: boolean };

  /**
   * Loads a pair. `fromLink`: the page was opened on this pair (a link asks before downloading from the
   * Hub); `force`: the user has said yes to the question asked.
   */
  loadPair(pair?: string, backend?: BackendChoice, options?: { force?: boolean; fromLink?: boolean; dtype?: Dtype | '' }): Promise<void>;
  /** Sizes a Hub pair and lists its variants (HEAD requests only); undefined (and the error shown) if that fails. */
  inspectPair(pair: string, backend: BackendChoice, hubUrl: string): Promise<LoadEstimate | undefined>;
  /** Aborts a download (restarting the worker) and returns to the previous pair. */
  cancelLoad(): Promise<void>;
  /** Stops a load that waits on something (a fresh worker) and loads the same pair again. */
  retryLoad(): Promise<void>;
  setHub(url: string): void;
  refreshCache(): Promise<void>;
  /** Asks the worker what the pair picker says of this browser: which catalog pairs are here, what auto picks, what is cached. */
  inspectBrowser(): Promise<void>;
  /** Deletes one cached repo, or everything with null. */
  deleteCached(repo: string | null): Promise<void>;
  setView(view: ViewId): void;
  setText(text: string): void;
  setLambda(lambda: number): void;
  setK(k: number): void;
  dismissMessage(source: MessageSource): void;
  /** Loads again what a failed load asked for (its message's `retry`). */
  retryFailedLoad(): Promise<void>;
  /**
   * Moves the slider along an analysis's u₁, scaled by its v₁ (the Analysis view, a saved view), computed on
   * `computedOn`: the worker refuses one from another pair or load, and the error says so.
   */
  applyDirection(analysis: AppliedAnalysis, computedOn: ComputedOn): Promise<void>;
  /**
   * Moves the slider along the u₁ of a spectrum file written by `lens spectrum` (a file the user picked, or a URL,
   * resolved against the page) for the loaded pair. The worker refuses one of another pair (the error says why, the
   * direction stays). Resolves to whether it was applied.
   */
  openSpectrum(source: { file: File } | { url: string }): Promise<boolean>;
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

// Each request gets a ticket; a reply older than the newest request is dropped.
const aligns = newestWins();
const loads = newestWins();
let textTimer: ReturnType<typeof setTimeout> | undefined;

/** `?spectrum=<url>`: a spectrum file to open for the pair the page opens on, once (docs/views.md). */
let linkedSpectrum: string | undefined = readLink(globalThis.location?.search ?? '').values.spectrum || undefined;

/** `debug=webgpu-mismatch` / `debug=lose-device`: test seams for the WebGPU fallbacks (the models still run for real). */
const debugSeam = () => readLink(globalThis.location?.search ?? '').values.debug;

/** The watchdog's quiet time; `debug=stall-download` (a graph download that never settles, worker/steps.ts) shortens it for its test. */
const stallMs = () => (debugSeam() === 'stall-download' ? 3_000 : STALL_MS);

/** The load in progress' watchdog (one load at a time: a new load replaces it). */
let watchdog: LoadWatchdog | undefined;
onWorkerStart((event) => {
  const now = performance.now();
  if (event.kind === 'starting') watchdog?.begin('worker', 'the model worker to start', now);
  else watchdog?.end('worker', now);
});
const followSteps = () =>
  lensClient().onSteps(
    proxyCallback((steps: LoadStep[]) => {
      const now = performance.now();
      for (const { id, event, label } of steps) {
        if (event === 'begin') watchdog?.begin(`step:${id}`, label, now);
        else if (event === 'progress') watchdog?.progress(`step:${id}`, label, now);
        else watchdog?.end(`step:${id}`, now);
      }
    }),
  );

export const useLens = create<LensState>()((set, get) => {
  /** Replaces (or, with undefined, clears) the message from `source`, and only that one. */
  const say = (source: MessageSource, message: PageMessage | undefined) => set((s) => ({ messages: withMessage(s.messages, source, message) }));

  const align = async () => {
    const { text, k, lambda, load } = get();
    if (load.phase !== 'ready') return;
    const requestId = aligns.next();
    if (text.trim().length === 0) {
      set({ result: undefined, baseView: undefined, computing: false });
      return;
    }
    set({ computing: true });
    try {
      const result = await lensClient().align(requestId, text, k, lambda);
      if (!aligns.isCurrent(requestId)) return;
      set({ result, baseView: result.base, computing: false });
      say('align', undefined);
    } catch (error) {
      if (!aligns.isCurrent(requestId)) return;
      set({ computing: false });
      say('align', errorMessage(error));
    }
  };

  // Slider ticks: at most one request in flight; the newest λ wins (read when the request starts).
  const sendShift = oneInFlight(async () => {
    const { result } = get();
    if (!result) return;
    try {
      const { lambda, k } = get();
      const view = await lensClient().shift(result.requestId, lambda, k);
      if (view && get().result?.requestId === result.requestId) set({ baseView: view });
    } catch (error) {
      say('align', errorMessage(error));
    }
  });
  const shift = () => {
    if (get().result) void sendShift();
  };

  /** The pair to fall back to: the one showing, or (after "Load anyway" on a question) the one that was. */
  const pairToFallBackTo = (): LoadedPair | undefined => {
    const { load, pair, pairInfo } = get();
    if (load.phase === 'ready') return pairInfo && { pair, pairInfo };
    return load.phase === 'confirm' ? load.previous : undefined;
  };

  /** Updates the load in progress, if `ticket` is still the newest load. */
  const whileLoading = (ticket: number, change: (load: Loading) => Partial<Loading>) => {
    if (!loads.isCurrent(ticket)) return;
    set((s) => (s.load.phase === 'loading' ? { load: { ...s.load, ...change(s.load) } } : {}));
  };

  /** Watches the load `ticket` until it ends: once a second, what it waits on if nothing has moved for a while. */
  const watchLoad = (ticket: number) => {
    const dog = new LoadWatchdog(performance.now());
    watchdog = dog;
    const timer = setInterval(() => {
      if (!loads.isCurrent(ticket) || get().load.phase !== 'loading') return void clearInterval(timer);
      const stalled = dog.stalled(performance.now(), stallMs());
      const shown = (get().load as Loading).stalled;
      if (stalled?.label !== shown?.label || stalled?.seconds !== shown?.seconds) whileLoading(ticket, () => ({ stalled }));
    }, 1000);
    return dog;
  };

  /**
   * What to ask before a Hub pair downloads, if anything. A link never makes the page contact a Hub other
   * than huggingface.co, nor download more than a few MB, without a yes; any pair that may not fit asks too.
   * A pair that cannot load at all in this dtype (too large for onnxruntime-web) fails here, before downloading.
   */
  const askBeforeDownloading = async (
    pair: string,
    backend: BackendChoice,
    dtype: Dtype | '',
    fromLink: boolean,
    ticket: number,
  ): Promise<{ question?: LoadQuestion; estimate?: LoadEstimate }> => {
    const hubUrl = get().hub || undefined;
    const problem = hubUrl && hubUrlProblem(hubUrl);
    if (problem) throw new Error(problem);
    const host = hubUrl ? hostOf(hubUrl) : DEFAULT_HUB_HOST;
    if (fromLink && host !== DEFAULT_HUB_HOST) return { question: { kind: 'link-host', host, repos: reposOf(pair) } };
    const estimate = await lensClient().estimate(pair, hubUrl, backend, dtype || undefined);
    whileLoading(ticket, () => ({ estimate }));
    if (estimate.refusal) throw new Error(estimate.refusal);
    if (!estimate.fits) return { estimate, question: { kind: 'memory', bytes: estimate.memoryBytes, deviceBytes: estimate.deviceBytes } };
    if (fromLink && estimate.totalBytes > LINK_SILENT_BYTES)
      return { estimate, question: { kind: 'link', host, repos: estimate.repos, bytes: estimate.totalBytes } };
    return { estimate };
  };

  const downloadAndLoad = async (pair: string, backend: BackendChoice, dtype: Dtype | '', ticket: number, dog: LoadWatchdog) => {
    const onProgress = proxyCallback((p: FileProgress) => {
      // Each file's bytes are progress of its own step, open until it is done.
      if (p.done) dog.end(`file:${p.file}`, performance.now());
      else dog.progress(`file:${p.file}`, `the download of ${p.file}`, performance.now());
      whileLoading(ticket, (load) => ({ files: { ...load.files, [p.file]: p } }));
    });
    await followSteps();
    await followDirection();
    if (!needsHub(pair)) {
      // A pair under the model root: every file it reads, sized by HEAD first, so the total is the pair's from the start.
      const planned = await lensClient()
        .plannedFiles(pair, backend, get().hub || undefined, dtype || undefined)
        .catch(() => undefined);
      whileLoading(ticket, () => ({ planned }));
    }
    return lensClient().load(pair, backend, onProgress, get().hub || undefined, {
      distortWebgpu: debugSeam() === 'webgpu-mismatch',
      dtype: dtype || undefined,
    });
  };

  /** The pair showing takes its direction as the worker sends it; a new u₁ moves the base column at λ ≠ 0. */
  const takeDirection = (direction: DirectionState, newU1: boolean) => {
    const { pairInfo } = get();
    if (!pairInfo) return;
    set({ pairInfo: { ...pairInfo, direction } });
    if (newU1 && get().lambda !== 0) shift();
  };
  /**
   * Follows each change of a load's direction (a pair that ships no spectrum embeds its PC1 sample after loading).
   * Registered before each load (a small sample may be done before load() returns): a change of a load the store
   * does not hold yet waits in the load phase until it does.
   */
  const followDirection = () =>
    lensClient().onDirection(
      proxyCallback((update: DirectionUpdate) => {
        const { load, pairInfo } = get();
        if (pairInfo?.loadId === update.loadId) takeDirection(update.direction, update.newU1);
        else if (load.phase === 'loading') set({ load: { ...load, direction: update } });
      }),
    );

  /** If the WebGPU device is lost, restart the worker on WASM and load the same pair, keeping the view. */
  const recoverOnWasmIfTheDeviceIsLost = async (pair: string) => {
    await lensClient().onDeviceLost(
      proxyCallback(async (reason: string) => {
        loads.invalidate();
        restartLensClient();
        set({ load: { phase: 'idle' } });
        await get().loadPair(pair, 'wasm', { force: true });
        const info = get().pairInfo;
        if (info) set({ pairInfo: { ...info, notice: `The WebGPU device was lost (${reason}): now running on WASM.` } });
      }),
    );
    if (debugSeam() === 'lose-device') setTimeout(() => void lensClient().loseDevice(), 500);
  };

  return {
    ...readViewState(globalThis.location?.search ?? ''),
    load: { phase: 'idle' },
    messages: {},
    computing: false,

    async loadPair(pair = get().pair, backend = get().backend, options = {}) {
      const backendChanged = backend !== get().backend && get().load.phase !== 'idle';
      // onnxruntime's build is fixed per worker (see lens.worker.ts): another backend gets a fresh worker,
      // so there is no loaded pair to fall back to.
      if (backendChanged) restartLensClient();
      const previous = backendChanged ? undefined : pairToFallBackTo();
      const ticket = loads.next();
      const isStale = () => !loads.isCurrent(ticket);
      const dtype = options.dtype ?? get().dtype;
      const request: LoadRequest = { pair, backend, dtype, fromLink: options.fromLink ?? false };
      // A new load: what was said about the pair showing, and about the last load, no longer holds.
      set({ pair, backend, dtype, load: { phase: 'loading', files: {}, previous }, messages: {} });
      const dog = watchLoad(ticket);
      try {
        if (needsHub(pair) && !options.force) {
          const { question, estimate } = await askBeforeDownloading(pair, backend, dtype, options.fromLink ?? false, ticket);
          if (isStale()) return;
          if (question) {
            set({ load: { phase: 'confirm', question, estimate, previous } });
            return;
          }
        }
        const pairInfo = await downloadAndLoad(pair, backend, dtype, ticket, dog);
        if (isStale()) return;
        await recoverOnWasmIfTheDeviceIsLost(pair);
        const { load } = get();
        // A change heard before the reply is newer than the direction the reply carries.
        const heard = load.phase === 'loading' && load.direction?.loadId === pairInfo.loadId ? load.direction.direction : undefined;
        set({ pairInfo: heard ? { ...pairInfo, direction: heard } : pairInfo, load: { phase: 'ready' }, result: undefined, baseView: undefined });
        // What was just downloaded is in the cache now: a cache list already shown (the pair picker, "Cached models") follows.
        if (get().cache) void get().refreshCache();
        const linked = linkedSpectrum;
        linkedSpectrum = undefined;
        if (linked && (await get().openSpectrum({ url: linked }))) return; // it aligns the text
        await align();
      } catch (error) {
        if (isStale()) return;
        const message = errorMessage(error);
        if (message.fault?.retryable) message.retry = request;
        // The worker keeps the pair it had until a new one loads: fall back to it, keeping the view.
        // Its direction as it is now: the worker went on sending changes of it while the load ran.
        if (previous)
          set((s) => ({
            load: { phase: 'ready' },
            pair: previous.pair,
            pairInfo: s.pairInfo?.loadId === previous.pairInfo.loadId ? s.pairInfo : previous.pairInfo,
          }));
        else set({ load: { phase: 'error', reason: message.text } });
        say('load', message);
      }
    },

    async inspectPair(pair, backend, hubUrl) {
      try {
        const problem = hubUrl && hubUrlProblem(hubUrl);
        if (problem) throw new Error(problem);
        return await lensClient().estimate(pair, hubUrl || undefined, backend);
      } catch (error) {
        say('load', errorMessage(error));
        return undefined;
      }
    },

    async cancelLoad() {
      const { load } = get();
      const previous = load.phase === 'loading' || load.phase === 'confirm' ? load.previous : undefined;
      const restore = previous?.pair ?? (get().pair !== DEFAULT_VIEW.pair ? DEFAULT_VIEW.pair : undefined);
      loads.invalidate();
      restartLensClient();
      set({ load: { phase: 'idle' } });
      say('load', pageNotice('Loading was cancelled; nothing else changed.'));
      if (restore) {
        await get().loadPair(restore);
        // Its own failure, if it failed, says more than the notice.
        if (!get().messages.load) say('load', pageNotice('Loading was cancelled; the previous pair is back.'));
      }
    },

    async retryLoad() {
      const { load, pair, backend, dtype } = get();
      if (load.phase !== 'loading') return;
      // Whatever the load waits on may never settle: only a fresh worker is sure to start afresh.
      loads.invalidate();
      restartLensClient();
      set({ load: { phase: 'idle' } });
      await get().loadPair(pair, backend, { force: true, dtype });
    },

    setHub(hub) {
      set({ hub: hub.trim() });
    },

    async refreshCache() {
      try {
        set({ cache: await lensClient().listCache() });
        say('cache', undefined);
      } catch (error) {
        say('cache', errorMessage(error));
      }
    },

    async inspectBrowser() {
      try {
        const client = lensClient();
        const [catalogAvailable, autoBackend] = await Promise.all([
          get().catalogAvailable ?? client.catalogAvailability(),
          get().autoBackend ?? client.autoBackend(),
          get().refreshCache(),
        ]);
        set({ catalogAvailable, autoBackend });
      } catch (error) {
        say('cache', errorMessage(error));
      }
    },

    async deleteCached(repo) {
      const failure = await lensClient()
        .deleteCached(repo)
        .then(() => undefined, errorMessage);
      await get().refreshCache();
      if (failure) say('cache', failure);
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
      shift();
    },

    setK(k) {
      set({ k });
      void align();
    },

    dismissMessage(source) {
      say(source, undefined);
    },

    async retryFailedLoad() {
      const retry = get().messages.load?.retry;
      if (retry) await get().loadPair(retry.pair, retry.backend, { dtype: retry.dtype, fromLink: retry.fromLink });
    },

    async applyDirection(analysis, computedOn) {
      let applied: ReadyDirection;
      try {
        applied = await lensClient().setDirection(analysis, computedOn);
        say('direction', undefined);
      } catch (error) {
        say('direction', errorMessage(error));
        return;
      }
      // A load that finished meanwhile brought its own direction.
      const { pairInfo } = get();
      if (pairInfo?.loadId !== computedOn.loadId) return;
      set({ pairInfo: { ...pairInfo, direction: applied } });
      await align();
    },

    async openSpectrum(source) {
      const { pairInfo, load } = get();
      if (!pairInfo || load.phase !== 'ready') {
        say('spectrum', { text: 'Load a pair first: a spectrum file is opened for the loaded pair.', tone: 'error' });
        return false;
      }
      const computedOn = { pairId: pairInfo.id, loadId: pairInfo.loadId };
      let opened: ReadyDirection;
      try {
        const request =
          'file' in source
            ? { text: await source.file.text(), name: source.file.name }
            : { url: new URL(source.url.trim(), globalThis.location?.href ?? 'http://localhost/').href };
        opened = await lensClient().openSpectrum(request, computedOn);
      } catch (error) {
        const message = errorMessage(error);
        if ('url' in source && /Invalid URL/i.test(message.text)) message.text = `"${source.url}" is not a URL of a spectrum file.`;
        say('spectrum', message);
        return false;
      }
      // A load that finished meanwhile brought its own direction.
      const now = get().pairInfo;
      if (now?.loadId !== computedOn.loadId) return false;
      set({ pairInfo: { ...now, direction: opened } });
      say('spectrum', undefined);
      await align();
      return true;
    },
  };
});

// The URL follows the view in urlSync.ts (started by main.tsx).
