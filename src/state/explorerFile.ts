import { DEFAULT_VIEW, type ViewState, viewProblems, viewStateOf } from '../shared/linkSchema';

/** A saved explorer: everything a link holds, the slider's direction if it came from a dataset, and what was shown. */
export interface ExplorerFile {
  format: typeof FORMAT;
  version: 1;
  savedAt: string;
  state: ViewState;
  /**
   * u₁ and v_j from a dataset analysis, when the slider used them (the pair's own sample needs nothing saved);
   * `source` says which texts, `sampleSize` how many (a file saved before it was written lacks it).
   */
  direction?: { source: string; u1: number[]; variation: number[]; shares: number[]; sampleSize?: number };
  /** The top tokens shown when saved, for the reader (import recomputes them). */
  shown?: { embed: { id: number; text: string; score: number }[]; base: { id: number; text: string; score: number }[] };
}

const FORMAT = 'embedding-lens/explorer';

export function explorerFile(state: ViewState, extra: Pick<ExplorerFile, 'direction' | 'shown'> = {}, savedAt = new Date()): ExplorerFile {
  return { format: FORMAT, version: 1, savedAt: savedAt.toISOString(), state: { ...state }, ...extra };
}

/** Reads a saved explorer file; any problem is one message naming each field that is wrong. */
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
  if (!file.state || typeof file.state !== 'object') throw new Error('The explorer file has no "state".');
  // Files saved before the link had hub= and dtype= lack them: they mean the defaults.
  const saved: Partial<ViewState> = { hub: DEFAULT_VIEW.hub, dtype: DEFAULT_VIEW.dtype, ...(file.state as Partial<ViewState>) };
  const problems = viewProblems(saved);
  if (problems.length) throw new Error(`The explorer file's ${problems.map((problem) => `state.${problem}`).join('; ')}.`);
  const d = file.direction;
  if (d !== undefined) {
    const numbers = (x: unknown) => Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'number' && Number.isFinite(v));
    const count = d?.sampleSize === undefined || (Number.isInteger(d.sampleSize) && d.sampleSize >= 0);
    if (!d || typeof d.source !== 'string' || !numbers(d.u1) || !numbers(d.variation) || !numbers(d.shares) || !count) {
      throw new Error('The explorer file\'s "direction" must have a source and the numbers u1, variation and shares.');
    }
  }
  return { ...(file as ExplorerFile), state: viewStateOf(saved as ViewState) };
}
