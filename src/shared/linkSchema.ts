import { DEFAULT_PAIR_ID } from './catalog';
import { DTYPES, type Dtype } from './dtypes';

/**
 * Every parameter of the app's link, declared once: how the link's text becomes a value, the value when the
 * link leaves it out or carries one the app cannot use, and what it accepts, in words. Reading a link
 * (state/store.ts, state/urlSync.ts), writing one (urlSync.ts), checking a saved view (state/explorerFile.ts)
 * and the model worker's start-up options (state/lensClient.ts names the worker, worker/workerOptions.ts reads
 * the name) all go through these declarations. The open panels, display settings and other views' inputs
 * (`panels`, `metrics`, `tokens`, `sim`, `tpl`, `q`) are kept by their own stores in state/.
 *
 * As in Observable Plot's option normalisation, each value is normalised once, here, and the rest of the app
 * reads only normalised values; a value the app cannot use gives one sentence, in one form for every
 * parameter: `k=7 is not one of 5, 10, 20, 50: the top 10 are shown.` (and, in a saved view,
 * `state.k must be one of 5, 10, 20, 50`).
 */

/** The app's views, in tab order. */
export const VIEWS = ['explorer', 'analysis', 'instructions', 'similarity', 'retrieval'] as const;
export type ViewId = (typeof VIEWS)[number];

/** How many top tokens the explorer's columns show. */
export const K_CHOICES = [5, 10, 20, 50] as const;

/** The backend a load asks for: `auto` is WebGPU where the browser has it, with WASM behind it. */
export const BACKEND_CHOICES = ['auto', 'webgpu', 'wasm'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * Test seams (`debug=`), each making one rare event happen on demand while the models still run for real:
 * - `stall-download`: the worker's first graph download never settles, and the load watchdog waits 3 s (worker/steps.ts);
 * - `webgpu-mismatch`: WebGPU's outputs are distorted, so the check at load falls back to WASM;
 * - `lose-device`: the WebGPU device is lost half a second after a load.
 */
export const DEBUG_SEAMS = ['stall-download', 'webgpu-mismatch', 'lose-device'] as const;
export type DebugSeam = (typeof DEBUG_SEAMS)[number];

/** One parameter of the link. */
export interface LinkParam<T> {
  /** The value when the link leaves the parameter out or carries one the app cannot use. */
  readonly fallback: T;
  /** The value the link's text stands for, before `is` checks it; the text itself when absent. */
  fromText?(raw: string): unknown;
  /** Whether a value (read from a link, or from a saved view's JSON) is one the app can use. */
  is(value: unknown): value is T;
  /** What the parameter accepts, in words: "one of 5, 10, 20, 50". */
  readonly accepts: string;
  /**
   * What the page does with a value it cannot use, for the notice ("the top 10 are shown"). Without it such a
   * value is dropped without a word: an empty `pair=`, the measuring knobs and the test seams.
   */
  readonly instead?: string;
  /** The value as the link writes it; String when absent. */
  toText?(value: T): string;
  /** Written even when it is the fallback: a copied link always shows the text it opens on. */
  readonly alwaysWritten?: true;
}

/** Declares one parameter (the identity: it only lets TypeScript check the parts against each other). */
const param = <T>(declaration: LinkParam<T>): LinkParam<T> => declaration;

const listed = (choices: readonly unknown[]) => `one of ${choices.join(', ')}`;
const member =
  <T>(choices: readonly T[]) =>
  (value: unknown): value is T =>
    choices.includes(value as T);
const isString = (value: unknown): value is string => typeof value === 'string';

/** A whole number from 1, for the measuring knobs: digits only (`threads=2`, not `2.0` or `1e1`). */
const count = () =>
  param<number | undefined>({
    fallback: undefined,
    fromText: (raw) => (/^\d+$/.test(raw) ? Number(raw) : Number.NaN),
    is: (value): value is number => Number.isInteger(value) && (value as number) >= 1,
    accepts: 'a whole number from 1',
  });

const DEFAULT_K = 10;

/** The link's parameters; a written link lists the view's in this order. */
export const LINK = {
  // The view a link reopens: read when the page opens, written back as the view changes, saved in a view file.
  view: param<ViewId>({ fallback: 'explorer', is: member(VIEWS), accepts: listed(VIEWS), instead: 'the Explorer is shown' }),
  pair: param<string>({ fallback: DEFAULT_PAIR_ID, is: (value): value is string => isString(value) && value.length > 0, accepts: 'a pair id' }),
  text: param<string>({ fallback: 'A man is playing the guitar on a stage.', is: isString, accepts: 'a string', alwaysWritten: true }),
  lambda: param<number>({
    fallback: 0,
    fromText: Number,
    is: (value): value is number => typeof value === 'number' && Number.isFinite(value),
    accepts: 'a number',
    instead: 'λ = 0',
    toText: (lambda) => String(Math.round(lambda * 1000) / 1000),
  }),
  k: param<number>({
    fallback: DEFAULT_K,
    fromText: Number,
    is: member<number>(K_CHOICES),
    accepts: listed(K_CHOICES),
    instead: `the top ${DEFAULT_K} are shown`,
  }),
  backend: param<BackendChoice>({ fallback: 'auto', is: member(BACKEND_CHOICES), accepts: listed(BACKEND_CHOICES), instead: 'auto is used' }),
  /** The Hub's base URL for Hub pairs; empty for huggingface.co. */
  hub: param<string>({ fallback: '', is: isString, accepts: 'a URL or empty' }),
  /** The bodies' ONNX variant; empty: the backend's choice (q8 on WASM, half floats on WebGPU with shader-f16). */
  dtype: param<Dtype | ''>({
    fallback: '',
    is: member<Dtype | ''>(['', ...DTYPES]),
    accepts: `${listed(DTYPES)}, or empty`,
    instead: "the backend's choice is used",
  }),

  // Read once when the page opens, never written (they stay in the address bar as the link had them).
  /** A spectrum file to open for the pair the link opens, once it has loaded. */
  spectrum: param<string>({ fallback: '', is: isString, accepts: 'a URL' }),
  /** `nojspi`: onnxruntime-web's builds without JSPI (worker/ortRuntime.ts), for a browser where JSPI misbehaves. */
  ort: param<'nojspi' | undefined>({ fallback: undefined, is: member(['nojspi'] as const), accepts: 'nojspi' }),
  /** onnxruntime's threads (worker/workerOptions.ts ortThreads), for measuring. */
  threads: count(),
  /** Texts per model run while the PC1 sample is read (worker/workerOptions.ts sampleBatch), for measuring. */
  batch: count(),
  debug: param<DebugSeam | undefined>({ fallback: undefined, is: member(DEBUG_SEAMS), accepts: listed(DEBUG_SEAMS) }),
};

export type LinkKey = keyof typeof LINK;
type ValueOf<P> = P extends LinkParam<infer T> ? T : never;
/** Every parameter's value, as a link gives it. */
export type LinkValues = { [K in LinkKey]: ValueOf<(typeof LINK)[K]> };

/** The parameters of the view a link reopens (and a view file saves). */
export const VIEW_KEYS = ['view', 'pair', 'text', 'lambda', 'k', 'backend', 'hub', 'dtype'] as const satisfies readonly LinkKey[];
export type ViewState = Pick<LinkValues, (typeof VIEW_KEYS)[number]>;

/** The parameters the model worker needs before its first message, handed to it in its name (workerNameFor). */
export const WORKER_KEYS = ['ort', 'debug', 'threads', 'batch'] as const satisfies readonly LinkKey[];
export type WorkerOptions = Pick<LinkValues, (typeof WORKER_KEYS)[number]>;

const pick = <K extends LinkKey>(values: Pick<LinkValues, K>, keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, values[key]])) as Pick<LinkValues, K>;

const fallbacks = Object.fromEntries(Object.entries(LINK).map(([key, declared]) => [key, declared.fallback])) as LinkValues;
export const DEFAULT_VIEW: ViewState = pick(fallbacks, VIEW_KEYS);

/** Every parameter's value from a query string, and a correction for each value the app could not use. */
export function readLink(search: string): { values: LinkValues; corrections: string[] } {
  const params = new URLSearchParams(search);
  const values: Record<string, unknown> = {};
  const corrections: string[] = [];
  for (const key of Object.keys(LINK) as LinkKey[]) {
    const declared: LinkParam<unknown> = LINK[key];
    const raw = params.get(key);
    const value = raw === null ? undefined : declared.fromText ? declared.fromText(raw) : raw;
    if (raw !== null && declared.is(value)) values[key] = value;
    else {
      values[key] = declared.fallback;
      if (raw !== null && declared.instead) corrections.push(`${key}=${raw} is not ${declared.accepts}: ${declared.instead}.`);
    }
  }
  return { values: values as LinkValues, corrections };
}

/** The view a query string reopens, with the fallback for anything missing or unusable. */
export const readViewState = (search: string): ViewState => pick(readLink(search).values, VIEW_KEYS);

/** The view's parameters out of a larger state (the page's store). */
export const viewStateOf = (state: ViewState): ViewState => pick(state, VIEW_KEYS);

/** Writes the view into a query string, leaving out values equal to the fallbacks and keeping the other parameters. */
export function writeViewState(view: ViewState, search = ''): string {
  const params = new URLSearchParams(search);
  for (const key of VIEW_KEYS) {
    const declared: LinkParam<unknown> = LINK[key];
    const value = view[key];
    if (value === declared.fallback && !declared.alwaysWritten) params.delete(key);
    else params.set(key, declared.toText ? declared.toText(value) : String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** What is wrong with a saved view's values, one phrase per parameter: `k must be one of 5, 10, 20, 50`. */
export function viewProblems(state: Partial<Record<LinkKey, unknown>>): string[] {
  return VIEW_KEYS.filter((key) => !LINK[key].is(state[key])).map((key) => `${key} must be ${LINK[key].accepts}`);
}

const WORKER_NAME = 'lens-models';

/**
 * The model worker's name: `lens-models`, then the worker options the link sets, as a link writes them
 * (`lens-models ort=nojspi threads=2`). A worker cannot read the page's address, and needs these before its first message.
 */
export function workerNameFor(search: string): string {
  const { values } = readLink(search);
  const options = WORKER_KEYS.filter((key) => values[key] !== undefined).map((key) => `${key}=${values[key]}`);
  return [WORKER_NAME, ...options].join(' ');
}

/** The worker options a worker's name carries (workerNameFor), each read as the link's own parameter. */
export const workerOptionsFrom = (name: string): WorkerOptions => pick(readLink(name.split(' ').join('&')).values, WORKER_KEYS);
