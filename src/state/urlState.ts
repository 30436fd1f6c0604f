import { DEFAULT_PAIR_ID } from '../shared/catalog';
import { type BackendChoice, DTYPES, type Dtype } from '../worker/protocol';

/** The app's views, in tab order. */
export const VIEWS = ['explorer', 'analysis', 'instructions', 'similarity', 'retrieval'] as const;
export type ViewId = (typeof VIEWS)[number];

/** The part of the view a copied link reopens. */
export interface ViewState {
  view: ViewId;
  pair: string;
  text: string;
  lambda: number;
  k: number;
  backend: BackendChoice;
  /** The Hub's base URL for Hub pairs; empty for huggingface.co. */
  hub: string;
  /** The bodies' ONNX variant; empty: the backend's choice (q8 on WASM, half floats on WebGPU with shader-f16). */
  dtype: Dtype | '';
}

export const DEFAULT_VIEW: ViewState = {
  view: 'explorer',
  pair: DEFAULT_PAIR_ID,
  text: 'A man is playing the guitar on a stage.',
  lambda: 0,
  k: 10,
  backend: 'auto',
  hub: '',
  dtype: '',
};

export const K_CHOICES = [5, 10, 20, 50] as const;

/** Reads the view from a query string, falling back to defaults for anything missing or malformed. */
export function readViewState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const number = (key: string, fallback: number) => {
    const raw = params.get(key);
    const value = raw === null ? Number.NaN : Number(raw);
    return Number.isFinite(value) ? value : fallback;
  };
  const k = number('k', DEFAULT_VIEW.k);
  const backend = params.get('backend');
  const view = params.get('view') as ViewId | null;
  return {
    view: view && VIEWS.includes(view) ? view : DEFAULT_VIEW.view,
    pair: params.get('pair') || DEFAULT_VIEW.pair,
    text: params.get('text') ?? DEFAULT_VIEW.text,
    lambda: number('lambda', DEFAULT_VIEW.lambda),
    k: (K_CHOICES as readonly number[]).includes(k) ? k : DEFAULT_VIEW.k,
    backend: backend === 'wasm' || backend === 'webgpu' ? backend : 'auto',
    hub: params.get('hub') ?? '',
    dtype: DTYPES.includes(params.get('dtype') as Dtype) ? (params.get('dtype') as Dtype) : '',
  };
}

/** Writes the view into a query string, leaving out values equal to the defaults. */
export function writeViewState(view: ViewState, search = ''): string {
  const params = new URLSearchParams(search);
  for (const key of Object.keys(DEFAULT_VIEW) as (keyof ViewState)[]) {
    const value = view[key];
    if (value === DEFAULT_VIEW[key] && key !== 'text') params.delete(key);
    else params.set(key, key === 'lambda' ? String(Math.round(Number(value) * 1000) / 1000) : String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}
