import { create } from 'zustand';
import { parseTexts } from '../core/datasets';
import type { DatasetAnalysis } from '../worker/protocol';
import { type AnalysisInput, type DatasetFile, type DatasetSource, inputOf, readDatasetFile } from './analysisInput';
import { lensClient, messageOf, proxyCallback } from './lensClient';
import { newestWins } from './newestWins';
import { currentProvenance, isCurrent, type Provenance } from './provenance';
import { useLens } from './store';

export type { DatasetSource } from './analysisInput';

export const DATASET_LABELS: Record<DatasetSource, string> = {
  stsb: 'STS Benchmark test sentences (bundled)',
  msmarco: 'MS MARCO sample passages (bundled)',
  file: 'Your own file',
};

export interface AnalysisState {
  source: DatasetSource;
  /** How many texts to analyse from the start of the dataset. */
  limit: number;
  file?: DatasetFile;
  /** The column or field to read ('' while the user has to choose one). */
  column: string;
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  progress: { done: number; total: number };
  /**
   * The latest finished analysis, with the pair and load it was computed on; kept when a
   * later run is cancelled or fails, and when the pair changes (then shown as "computed on …").
   */
  result?: DatasetAnalysis & {
    dataset: string;
    skippedEmpty: number;
    computedOn: Provenance;
    /** What was read (compared with the current choice: "these results are of …"). */
    input: AnalysisInput;
    /** How the pair ran, for the exports. */
    settings: { dtype: string; device: string };
  };
  message?: string;

  setSource(source: DatasetSource): void;
  setLimit(limit: number): void;
  setColumn(column: string): void;
  /** Reads a chosen file; one that is not text is refused with a one-line message and no file is then chosen. */
  setFile(name: string, bytes: Uint8Array): void;
  run(): Promise<void>;
  cancel(): void;
  applyToExplorer(): Promise<void>;
}

async function fetchText(path: string): Promise<string> {
  const response = await fetch(`${import.meta.env.BASE_URL}${path}`);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${response.statusText}`);
  return response.text();
}

/** The texts of the chosen dataset, with the number of empty entries skipped. */
async function loadTexts(state: AnalysisState): Promise<{ texts: string[]; skippedEmpty: number; name: string }> {
  if (state.source === 'stsb') {
    return { ...parseTexts(await fetchText('data/stsb/sts-test.csv'), 'stsb'), name: 'STS-B test' };
  }
  if (state.source === 'msmarco') {
    // query<TAB>passage, no header: the passages are the texts.
    const lines = (await fetchText('data/msmarco-sample/sampled500.tsv')).split(/\r?\n/).filter(Boolean);
    return { ...parseTexts(lines.map((l) => l.split('\t')[1] ?? '').join('\n'), 'lines'), name: 'MS MARCO sample' };
  }
  if (!state.file) throw new Error('Choose a file first: one text per line, a CSV/TSV with a text column, or JSONL.');
  return { ...parseTexts(state.file.content, state.file.format, state.column || undefined), name: state.file.name };
}

const runs = newestWins();

function analysisNotes(skippedEmpty: number, truncated: number): string | undefined {
  const notes = [];
  if (skippedEmpty) notes.push(`${skippedEmpty} empty text(s) skipped.`);
  if (truncated) notes.push(`${truncated} text(s) longer than the model's context were truncated.`);
  return notes.length ? notes.join(' ') : undefined;
}

export const useAnalysis = create<AnalysisState>()((set, get) => ({
  source: 'stsb',
  limit: 500,
  column: '',
  status: 'idle',
  progress: { done: 0, total: 0 },

  setSource: (source) => set({ source, message: undefined }),
  setLimit: (limit) => set({ limit: Math.max(2, Math.floor(limit) || 2) }),
  setColumn: (column) => set({ column }),
  setFile(name, bytes) {
    try {
      const file = readDatasetFile(name, bytes);
      set({ file, column: file.choice.field ?? '', source: 'file', message: undefined });
    } catch (error) {
      set({ file: undefined, column: '', source: 'file', message: messageOf(error) });
    }
  },

  async run() {
    if (get().status === 'running') return;
    const computedOn = currentProvenance();
    if (!computedOn) {
      set({ message: 'The model pair is not loaded yet.' });
      return;
    }
    const input = inputOf(get());
    const { pairInfo } = useLens.getState();
    const settings = { dtype: pairInfo?.dtype ?? '', device: pairInfo?.device ?? '' };
    const runId = runs.next();
    set({ status: 'running', message: undefined, progress: { done: 0, total: 0 } });
    try {
      const { texts, skippedEmpty, name } = await loadTexts(get());
      const chosen = texts.slice(0, get().limit);
      if (chosen.length < 2) throw new Error(`${name} has ${chosen.length} non-empty text(s); an analysis needs at least two.`);
      if (!runs.isCurrent(runId) || get().status !== 'running') return; // cancelled while the texts were read
      set({ progress: { done: 0, total: chosen.length } });
      const onProgress = proxyCallback((done: number, total: number) => set({ progress: { done, total } }));
      const outcome = await lensClient().analyzeDataset(runId, chosen, useLens.getState().k, onProgress);
      if (!runs.isCurrent(runId) || get().status !== 'running') return; // cancelled here already (see cancel)
      if (outcome.status === 'cancelled') {
        set({ status: 'cancelled', message: outcome.message });
        return;
      }
      const result = outcome.value;
      set({
        status: 'done',
        result: { ...result, dataset: name, skippedEmpty, computedOn, input, settings },
        message: analysisNotes(skippedEmpty, result.report.perText.filter((p) => p.truncated).length),
      });
    } catch (error) {
      if (runs.isCurrent(runId) && get().status === 'running') set({ status: 'error', message: messageOf(error) });
    }
  },

  /**
   * The view is idle at once: the worker stops before its next model run, and the one in flight (at most
   * one body on one batch of texts; seconds for a 0.6B pair on WASM) finishes unseen before the worker takes
   * the next request.
   */
  cancel() {
    if (get().status !== 'running') return;
    void lensClient().cancelAnalysis(runs.current());
    set({ status: 'cancelled', message: 'The analysis was cancelled; the previous results are kept.' });
  },

  /** Drives the explorer's slider with this analysis's u_1, scaled by its own v_1: only on the pair and load it was computed on. */
  async applyToExplorer() {
    const result = get().result;
    if (!result || !isCurrent(result.computedOn)) return;
    const { u1, variation, shares, n } = result.report;
    const analysis = { u1, variation, shares, sampleSize: n, origin: `the ${n} texts of ${result.dataset}` };
    await useLens.getState().applyDirection(analysis, result.computedOn);
  },
}));
