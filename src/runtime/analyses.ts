import { type AlignedView, alignedView } from '../core/align';
import { project } from '../core/lmHead';
import { buildReport, type DatasetReport } from '../core/report';
import { adjust, contribution, cosine } from '../core/spectral';
import { filteredTop } from '../core/tokenFilter';
import { topK } from '../core/topk';
import { type LensPair, RunCancelled } from './pair';

/**
 * The paper's analyses over a loaded pair, shared by the worker (UI) and the CLI.
 * Each returns plain data (ids with their token texts) ready to post to the page.
 */

export type TokenTexts = Record<number, string>;

function textsOf(pair: LensPair, ids: Iterable<number>): TokenTexts {
  const out: TokenTexts = {};
  for (const id of ids) out[id] = pair.tokenText(id);
  return out;
}

export interface DatasetAnalysis {
  report: DatasetReport;
  /** Tokens of W u_1 with the largest and smallest logits: what PC1 "means". */
  pc1Positive: number[];
  pc1Negative: number[];
  /** The same without byte and special tokens (core/tokenFilter.ts), and how many of those each end hid. */
  pc1Filtered: { positive: number[]; negative: number[]; hidden: { positive: number; negative: number } };
  tokenTexts: TokenTexts;
  ms: number;
}

export class AnalysisCancelled extends Error {
  constructor() {
    super('The analysis was cancelled; the previous results are kept.');
  }
}

/** How long one batch of an analysis should take: a cancel waits for the batch that is running. */
const BATCH_TARGET_MS = 300;
const MAX_BATCH = 32;

/** The dataset analysis (paper §3.2 metrics, §4 spectral variation), in batches with progress and cancel. */
export async function analyzeDataset(
  pair: LensPair,
  texts: readonly string[],
  options: { k: number; onProgress?: (done: number, total: number) => void; isCancelled?: () => boolean; batchSize?: number },
): Promise<DatasetAnalysis> {
  const started = performance.now();
  const records = [];
  // A cancel is seen between model runs only (a run cannot be interrupted), so unless the caller fixes
  // the size, a batch is sized to take about BATCH_TARGET_MS: one text first, then as many as fit, up to
  // MAX_BATCH (the demo pair reaches it at once; a 0.6B pair on WASM runs one or two texts per batch).
  let batchSize = options.batchSize ?? 1;
  for (let start = 0; start < texts.length; ) {
    // Model runs resolve as microtasks, which never let a worker's message
    // events (a cancel, a new text) in: yield a macrotask between batches.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (options.isCancelled?.()) throw new AnalysisCancelled();
    const batchStarted = performance.now();
    const batch = texts.slice(start, start + batchSize);
    try {
      records.push(...(await pair.encode(batch, batchSize, undefined, { isCancelled: options.isCancelled })));
    } catch (error) {
      throw error instanceof RunCancelled ? new AnalysisCancelled() : error;
    }
    start += batch.length;
    options.onProgress?.(records.length, texts.length);
    if (options.batchSize === undefined) {
      const perText = (performance.now() - batchStarted) / batch.length;
      batchSize = Math.max(1, Math.min(MAX_BATCH, Math.floor(BATCH_TARGET_MS / Math.max(perText, 1e-3))));
    }
  }
  const report = buildReport(records, pair.head, { k: options.k, isContent: pair.isContent, frequentIds: pair.frequentIds });
  const zu = project(pair.head, report.u1);
  const pc1Positive = Array.from(topK(zu, 15, pair.head.validRows).ids);
  const pc1Negative = Array.from(
    topK(
      zu.map((x) => -x),
      15,
      pair.head.validRows,
    ).ids,
  );
  const positive = filteredTop(zu, pair.head.validRows, 15, pair.isNoise);
  const negative = filteredTop(
    zu.map((x) => -x),
    pair.head.validRows,
    15,
    pair.isNoise,
  );
  const pc1Filtered = { positive: positive.ids, negative: negative.ids, hidden: { positive: positive.hidden, negative: negative.hidden } };
  const ids = new Set<number>([...pc1Positive, ...pc1Negative, ...positive.ids, ...negative.ids]);
  for (const p of report.perText) {
    for (const id of p.ids) ids.add(id);
    for (const list of Object.values(p.top)) for (const id of list.slice(0, options.k)) ids.add(id);
  }
  return { report, pc1Positive, pc1Negative, pc1Filtered, tokenTexts: textsOf(pair, ids), ms: performance.now() - started };
}

export interface ContributionRow {
  id: number;
  text: string;
  total: number;
  principal: number;
  rest: number;
}

/**
 * Splits each top token's logit into the part from (h·u_1)u_1 and the rest (the paper's contribution figure).
 * The base side is taken at the slider's λ, h + λ·u_1: its top tokens are the base column's, and with a unit u_1
 * only the PC1 part moves, by λ·(w·u_1).
 */
export function contributions(
  pair: LensPair,
  states: { ids: number[]; embed: Float32Array; base: Float32Array; u1: Float64Array },
  k: number,
  lambda = 0,
): { embed: ContributionRow[]; base: ContributionRow[]; lambda: number } {
  const rows = (h: Float32Array) => {
    const view = alignedView(project(pair.head, h), pair.head.validRows, states.ids, k);
    return view.ids.map((id) => {
      const split = contribution(pair.headRow(id), h, states.u1);
      return { id, text: pair.tokenText(id), ...split };
    });
  };
  const base = lambda === 0 ? states.base : adjust(states.base, states.u1, lambda);
  return { embed: rows(states.embed), base: rows(base), lambda };
}

export interface TemplatedView extends AlignedView {
  template: string;
  tokenTexts: TokenTexts;
}

/** The same text under several instructions: the embedder's aligned tokens for each (paper §6). */
export async function compareTemplates(pair: LensPair, text: string, templates: readonly string[], k: number): Promise<TemplatedView[]> {
  const views: TemplatedView[] = [];
  for (const template of templates) {
    if (!template.includes('{text}')) throw new Error(`The instruction "${template}" has no {text} placeholder.`);
    const [encoded] = await pair.encode([text], 1, template);
    const view = alignedView(project(pair.head, encoded.embed), pair.head.validRows, encoded.ids, k);
    views.push({ ...view, template, tokenTexts: textsOf(pair, view.ids) });
  }
  return views;
}

export interface SimilarityResult {
  /** Cosine of the two texts' embeddings under each model. */
  cosine: { embed: number; base: number };
  a: { embed: AlignedView; base: AlignedView; ids: number[] };
  b: { embed: AlignedView; base: AlignedView; ids: number[] };
  tokenTexts: TokenTexts;
}

/** Two texts side by side: similarity under each model and the tokens their embeddings share (paper §6). */
export async function compareTexts(pair: LensPair, textA: string, textB: string, k: number): Promise<SimilarityResult> {
  const [a, b] = await pair.encode([textA, textB], 2);
  const side = (e: typeof a) => ({
    embed: alignedView(project(pair.head, e.embed), pair.head.validRows, e.ids, k),
    base: alignedView(project(pair.head, e.base), pair.head.validRows, e.ids, k),
    ids: e.ids,
  });
  const sa = side(a);
  const sb = side(b);
  const ids = new Set([...sa.embed.ids, ...sa.base.ids, ...sb.embed.ids, ...sb.base.ids, ...a.ids, ...b.ids]);
  return {
    cosine: { embed: cosine(a.embed, b.embed), base: cosine(a.base, b.base) },
    a: sa,
    b: sb,
    tokenTexts: textsOf(pair, ids),
  };
}
