import { DTYPES } from '../worker/protocol';
import { K_CHOICES, VIEWS, type ViewState } from './urlState';

/** A saved explorer: everything a link holds, the slider's direction if it came from a dataset, and what was shown. */
export interface ExplorerFile {
  format: typeof FORMAT;
  version: 1;
  savedAt: string;
  state: ViewState;
  /** u₁ and v_j from a dataset analysis, when the slider used them (the pair's own sample needs nothing saved). */
  direction?: { source: string; u1: number[]; variation: number[]; shares: number[] };
  /** The top tokens shown when saved, for the reader (import recomputes them). */
  shown?: { embed: { id: number; text: string; score: number }[]; base: { id: number; text: string; score: number }[] };
}

const FORMAT = 'embedding-lens/explorer';

export function explorerFile(state: ViewState, extra: Pick<ExplorerFile, 'direction' | 'shown'> = {}, savedAt = new Date()): ExplorerFile {
  return { format: FORMAT, version: 1, savedAt: savedAt.toISOString(), state: { ...state }, ...extra };
}

/** Reads a saved explorer file; any problem is one message naming the field. */
export function parseExplorerFile(text: string): ExplorerFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`The file is not JSON (${(error as Error).message}).`);
  }
  const file = data as Partial<ExplorerFile>;
  if (!file || typeof file !== 'object' || file.format !== FORMAT) throw new Error(`Not an Embedding Lens explorer file: "format" must be "${FORMAT}".`);
  if (file.version !== 1) throw new Error(`Unsupported explorer file version ${JSON.stringify(file.version)}: this app reads version 1.`);
  const s = file.state as Partial<ViewState> | undefined;
  if (!s || typeof s !== 'object') throw new Error('The explorer file has no "state".');
  const need = (ok: boolean, field: string, what: string) => {
    if (!ok) throw new Error(`The explorer file's state.${field} must be ${what}.`);
  };
  need(typeof s.text === 'string', 'text', 'a string');
  need(typeof s.pair === 'string' && s.pair.length > 0, 'pair', 'a pair id');
  need(typeof s.lambda === 'number' && Number.isFinite(s.lambda), 'lambda', 'a number');
  need((K_CHOICES as readonly number[]).includes(s.k as number), 'k', `one of ${K_CHOICES.join(', ')}`);
  need(VIEWS.includes(s.view as ViewState['view']), 'view', `one of ${VIEWS.join(', ')}`);
  need(s.backend === 'auto' || s.backend === 'wasm' || s.backend === 'webgpu', 'backend', 'auto, wasm or webgpu');
  need(typeof (s.hub ?? '') === 'string', 'hub', 'a URL or empty');
  need(s.dtype === undefined || s.dtype === '' || DTYPES.includes(s.dtype), 'dtype', `empty or one of ${DTYPES.join(', ')}`);
  const d = file.direction;
  if (d !== undefined) {
    const numbers = (x: unknown) => Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!d || typeof d.source !== 'string' || !numbers(d.u1) || !numbers(d.variation) || !numbers(d.shares)) {
      throw new Error('The explorer file\'s "direction" must have a source and the numbers u1, variation and shares.');
    }
  }
  return { ...(file as ExplorerFile), state: { ...(s as ViewState), hub: s.hub ?? '', dtype: s.dtype ?? '' } };
}
