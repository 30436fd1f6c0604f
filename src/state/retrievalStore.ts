import { create } from 'zustand';
import type { Bm25Analyzer } from '../core/retrieval/bm25';
import { CollectionError, type Entry, msmarcoSample, parseEntries, parseQrels } from '../core/retrieval/collection';
import type { Qrels } from '../core/retrieval/evaluation';
import { DEFAULT_SPARSE, type WeightScheme } from '../core/retrieval/representation';
import type { BuildProgress, IndexSummary, RetrievalEvaluation, SearchView } from '../worker/protocol';
import { lensClient, messageOf, proxyCallback } from './lensClient';
import { newestWins } from './newestWins';
import { currentProvenance, isCurrent, type Provenance } from './provenance';

export type CorpusSource = 'msmarco' | 'file';

export const MSMARCO_PATH = 'data/msmarco-sample/sampled500.tsv';
/** "First N" choices: all 500 takes a while under the WASM backend. */
export const FIRST_N_CHOICES = [50, 100, 200, 500] as const;
export const SPARSE_K_CHOICES = [8, 16, 32, 64, 128, 256] as const;
export const M_CHOICES = [0, 2, 4, 8, 16, 32] as const;

export interface RetrievalState {
  source: CorpusSource;
  firstN: number;
  files: { corpus?: { name: string; content: string }; queries?: { name: string; content: string }; qrels?: { name: string; content: string } };
  k: number;
  m: number;
  scheme: WeightScheme;
  bm25: Bm25Analyzer;
  /** 'ready': an index was built; it is usable only while `indexOn` is the loaded pair and load (see indexUsable). */
  status: 'idle' | 'building' | 'ready' | 'cancelled' | 'error';
  progress: BuildProgress;
  summary?: IndexSummary;
  /** The pair and load the index was built on: the worker holds it only for that load. */
  indexOn?: Provenance;
  /** The indexed corpus's test set, when it has one (the MS MARCO sample, or your queries + qrels). */
  testSet?: { queries: Entry[]; qrels: Qrels };
  query: string;
  results?: SearchView;
  searching: boolean;
  evaluation?: RetrievalEvaluation & { computedOn: Provenance };
  evaluating: boolean;
  evalProgress: BuildProgress;
  message?: string;

  setSource(source: CorpusSource): void;
  setFirstN(n: number): void;
  setFile(kind: 'corpus' | 'queries' | 'qrels', name: string, content: string): void;
  setBm25(analyzer: Bm25Analyzer): void;
  build(): Promise<void>;
  cancel(): void;
  setQuery(query: string): void;
  setSparse(options: { k?: number; scheme?: WeightScheme }): Promise<void>;
  setM(m: number): Promise<void>;
  evaluate(): Promise<void>;
}

/** Whether the built index is the loaded pair's (a new load, or a restarted worker, drops it). */
export const indexUsable = (state: Pick<RetrievalState, 'status' | 'indexOn'>, loadId: string | undefined) =>
  state.status === 'ready' && state.indexOn !== undefined && state.indexOn.loadId === loadId;

async function fetchText(path: string): Promise<string> {
  const response = await fetch(`${import.meta.env.BASE_URL}${path}`);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${response.statusText}`);
  return response.text();
}

/** The corpus to index and, when there is one, its queries and qrels. */
async function loadCollection(state: RetrievalState): Promise<{ corpus: Entry[]; testSet?: { queries: Entry[]; qrels: Qrels } }> {
  try {
    if (state.source === 'msmarco') {
      const { corpus, queries, qrels } = msmarcoSample(await fetchText(MSMARCO_PATH), state.firstN);
      return { corpus, testSet: { queries, qrels } };
    }
    const { corpus: corpusFile, queries: queriesFile, qrels: qrelsFile } = state.files;
    if (!corpusFile) throw new Error('Choose a corpus file first: one document per line as id<TAB>text.');
    const all = parseEntries(corpusFile.content, 'corpus');
    const corpus = all.slice(0, state.firstN);
    if (!queriesFile || !qrelsFile) return { corpus };
    const queries = parseEntries(queriesFile.content, 'queries');
    // Checked against the whole file: judged documents beyond "first N" count as not retrieved.
    const qrels = parseQrels(
      qrelsFile.content,
      queries.map((q) => q.id),
      all.map((d) => d.id),
    );
    return { corpus, testSet: { queries, qrels } };
  } catch (error) {
    if (error instanceof CollectionError) throw new Error(`Bad input: ${error.message}`);
    throw error;
  }
}

const builds = newestWins();
const searches = newestWins();
// A sparsity or m change re-evaluates while an evaluation may still run: only the newest one's figures are shown.
const evaluations = newestWins();
let searchTimer: ReturnType<typeof setTimeout> | undefined;
const SEARCH_DEBOUNCE_MS = 200;

export const useRetrieval = create<RetrievalState>()((set, get) => {
  const runSearch = async () => {
    const { query, m, indexOn } = get();
    const ticket = searches.next();
    if (get().status !== 'ready' || !isCurrent(indexOn) || !query.trim()) {
      set({ results: undefined, searching: false });
      return;
    }
    set({ searching: true });
    try {
      const results = await lensClient().retrievalSearch(query, m, 10);
      if (searches.isCurrent(ticket)) set({ results, searching: false, message: undefined });
    } catch (error) {
      if (searches.isCurrent(ticket)) set({ searching: false, message: messageOf(error) });
    }
  };

  return {
    source: 'msmarco',
    firstN: 100,
    files: {},
    k: DEFAULT_SPARSE.k,
    m: 0,
    scheme: DEFAULT_SPARSE.scheme,
    bm25: 'words',
    status: 'idle',
    progress: { done: 0, total: 0, truncated: 0 },
    query: 'how long did william bradford serve as governor',
    searching: false,
    evaluating: false,
    evalProgress: { done: 0, total: 0, truncated: 0 },

    setSource: (source) => set({ source }),
    setFirstN: (firstN) => set({ firstN: Number.isFinite(firstN) && firstN > 0 ? Math.floor(firstN) : 100 }),
    setFile: (kind, name, content) => set((s) => ({ files: { ...s.files, [kind]: { name, content } } })),
    setBm25: (bm25) => set({ bm25 }),

    async build() {
      const indexOn = currentProvenance();
      if (!indexOn) return set({ message: 'The model pair is not loaded yet.' });
      const runId = builds.next();
      set({
        status: 'building',
        indexOn: undefined,
        progress: { done: 0, total: 0, truncated: 0 },
        message: undefined,
        results: undefined,
        evaluation: undefined,
      });
      try {
        const { corpus, testSet } = await loadCollection(get());
        set({ progress: { done: 0, total: corpus.length, truncated: 0 } });
        const { k, scheme, bm25 } = get();
        const onProgress = proxyCallback((p: BuildProgress) => {
          if (builds.isCurrent(runId)) set({ progress: p });
        });
        const outcome = await lensClient().retrievalBuild(runId, corpus, { k, scheme, bm25 }, onProgress);
        if (!builds.isCurrent(runId)) return;
        if (outcome.status === 'cancelled') return set({ status: 'cancelled', message: outcome.message });
        set({ status: 'ready', summary: outcome.value, indexOn, testSet });
        await runSearch();
        if (testSet) await get().evaluate();
      } catch (error) {
        if (builds.isCurrent(runId)) set({ status: 'error', message: messageOf(error) });
      }
    },

    cancel() {
      void lensClient().retrievalCancel(builds.current());
    },

    setQuery(query) {
      // The shown hits belong to the previous query until the debounced search answers: say so at once.
      set({ query, searching: get().status === 'ready' });
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => void runSearch(), SEARCH_DEBOUNCE_MS);
    },

    async setSparse(options) {
      set(options);
      if (get().status !== 'ready' || !isCurrent(get().indexOn)) return;
      const { k, scheme } = get();
      try {
        const summary = await lensClient().retrievalConfigure({ k, scheme });
        set({ summary });
        await runSearch();
        if (get().evaluation) await get().evaluate();
      } catch (error) {
        set({ message: messageOf(error) });
      }
    },

    async setM(m) {
      set({ m });
      if (get().status !== 'ready' || !isCurrent(get().indexOn)) return;
      await runSearch();
      if (get().evaluation) await get().evaluate();
    },

    async evaluate() {
      const { testSet, m, status, indexOn } = get();
      if (!testSet || status !== 'ready' || !indexOn || !isCurrent(indexOn)) return;
      const ticket = evaluations.next();
      set({ evaluating: true, evalProgress: { done: 0, total: testSet.queries.length, truncated: 0 } });
      try {
        const onProgress = proxyCallback((p: BuildProgress) => {
          if (evaluations.isCurrent(ticket)) set({ evalProgress: p });
        });
        const evaluation = await lensClient().retrievalEvaluate(testSet.queries, testSet.qrels, m, onProgress);
        if (evaluations.isCurrent(ticket)) set({ evaluation: { ...evaluation, computedOn: indexOn }, evaluating: false });
      } catch (error) {
        if (evaluations.isCurrent(ticket)) set({ evaluating: false, message: messageOf(error) });
      }
    },
  };
});
