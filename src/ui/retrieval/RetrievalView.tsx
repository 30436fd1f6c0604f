import { useShallow } from 'zustand/react/shallow';
import type { Bm25Analyzer } from '../../core/retrieval/bm25';
import { WEIGHT_SCHEMES, type WeightScheme } from '../../core/retrieval/representation';
import { type CorpusSource, FIRST_N_CHOICES, indexUsable, M_CHOICES, SPARSE_K_CHOICES, useRetrieval } from '../../state/retrievalStore';
import { useLens } from '../../state/store';
import { StaleNote } from '../StaleNote';
import { displayToken } from '../tokenText';
import { EvaluationTable } from './EvaluationTable';
import { ResultColumn } from './ResultColumn';
import './retrieval.css';

const SCHEME_LABELS: Record<WeightScheme, string> = {
  logit: 'raw logits',
  relu: 'ReLU(z)',
  softmax: 'softmax probability',
  'log-relu': 'log(1 + ReLU(z))',
};

/**
 * The paper's sparse retriever: documents as their top-K aligned tokens, a
 * query as its own tokens (optionally + its top-M aligned tokens), next to
 * dense cosine retrieval and BM25, with an evaluation on judged queries.
 */
export function RetrievalView() {
  const r = useRetrieval(
    useShallow((s) => ({
      source: s.source,
      firstN: s.firstN,
      k: s.k,
      m: s.m,
      scheme: s.scheme,
      bm25: s.bm25,
      status: s.status,
      progress: s.progress,
      summary: s.summary,
      indexOn: s.indexOn,
      query: s.query,
      results: s.results,
      searching: s.searching,
      evaluation: s.evaluation,
      evaluating: s.evaluating,
      evalProgress: s.evalProgress,
      message: s.message,
      setSource: s.setSource,
      setFirstN: s.setFirstN,
      setFile: s.setFile,
      setBm25: s.setBm25,
      build: s.build,
      cancel: s.cancel,
      setQuery: s.setQuery,
      setSparse: s.setSparse,
      setM: s.setM,
    })),
  );
  const ready = useLens((s) => s.load.phase === 'ready');
  const loadId = useLens((s) => s.pairInfo?.loadId);
  const building = r.status === 'building';
  // The worker holds an index only for the load that built it.
  const usable = indexUsable(r, loadId);
  const results = usable ? r.results : undefined;
  const percent = r.progress.total ? (r.progress.done / r.progress.total) * 100 : 0;

  return (
    <>
      <section className="panel retrieval-controls">
        <fieldset disabled={building}>
          <legend>Corpus</legend>
          {(['msmarco', 'file'] as CorpusSource[]).map((source) => (
            <label key={source} className="radio">
              <input type="radio" name="corpus" value={source} checked={r.source === source} onChange={() => r.setSource(source)} />
              {source === 'msmarco' ? 'MS MARCO sample (bundled; 500 queries, one relevant passage each; non-commercial research use)' : 'Your own files'}
            </label>
          ))}
          {r.source === 'file' && (
            <div className="file-row">
              {(['corpus', 'queries', 'qrels'] as const).map((kind) => (
                <label key={kind}>
                  {kind === 'corpus' ? 'corpus (id⇥text)' : kind === 'queries' ? 'queries (id⇥text, optional)' : 'qrels (query⇥doc⇥relevance, optional)'}{' '}
                  <input
                    type="file"
                    data-testid={`retrieval-file-${kind}`}
                    accept=".tsv,.txt"
                    onChange={async (e) => {
                      const file = e.currentTarget.files?.[0];
                      if (file) r.setFile(kind, file.name, await file.text());
                    }}
                  />
                </label>
              ))}
            </div>
          )}
          <label>
            first{' '}
            <select data-testid="retrieval-first-n" value={r.firstN} onChange={(e) => r.setFirstN(Number(e.currentTarget.value))}>
              {FIRST_N_CHOICES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>{' '}
            documents
          </label>{' '}
          <label>
            BM25 over{' '}
            <select value={r.bm25} onChange={(e) => r.setBm25(e.currentTarget.value as Bm25Analyzer)}>
              <option value="words">English words (stemmed)</option>
              <option value="tokens">the pair's tokens</option>
            </select>
          </label>
        </fieldset>
        <div className="run-row">
          <button type="button" className="primary" data-testid="retrieval-build" onClick={() => void r.build()} disabled={building || !ready}>
            Build index
          </button>
          {building && (
            <>
              <progress data-testid="retrieval-progress" max={100} value={percent} />
              <span className="muted">
                {r.progress.done} / {r.progress.total} embedded
              </span>
              <button type="button" data-testid="retrieval-cancel" onClick={r.cancel}>
                Cancel
              </button>
            </>
          )}
          {r.summary && !building && usable && (
            <span className="muted" data-testid="retrieval-summary">
              {r.summary.documents} documents indexed in {(r.summary.ms / 1000).toFixed(1)} s
              {r.summary.truncated > 0 && ` · ${r.summary.truncated} longer than the ${r.summary.maxLength}-token context were truncated`}
              {!r.summary.bm25Available && ' · BM25 needs at least 3 documents'}
            </span>
          )}
          {r.message && (
            <span className="muted" data-testid="retrieval-message" role="status">
              {r.message}
            </span>
          )}
        </div>
        {r.status === 'ready' && !usable && r.indexOn && (
          <p className="stale-note" data-testid="retrieval-stale" role="status">
            The index was built on {r.indexOn.pairName}; the model worker dropped it when another pair (or load) replaced it. Build it again to search this
            pair.
          </p>
        )}
      </section>

      <section className="panel retrieval-params">
        <label title="Top-K aligned tokens kept per document">
          K{' '}
          <select data-testid="retrieval-k" value={r.k} onChange={(e) => void r.setSparse({ k: Number(e.currentTarget.value) })}>
            {SPARSE_K_CHOICES.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label title="The query's own top-M aligned tokens added to its token set (needs the embedder at query time)">
          M{' '}
          <select data-testid="retrieval-m" value={r.m} onChange={(e) => void r.setM(Number(e.currentTarget.value))}>
            {M_CHOICES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          weights{' '}
          <select data-testid="retrieval-scheme" value={r.scheme} onChange={(e) => void r.setSparse({ scheme: e.currentTarget.value as WeightScheme })}>
            {WEIGHT_SCHEMES.map((s) => (
              <option key={s} value={s}>
                {SCHEME_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          dir="auto"
          className="retrieval-query"
          data-testid="retrieval-query"
          value={r.query}
          disabled={!usable}
          placeholder={usable ? 'Search the corpus…' : 'Build an index first, then search it…'}
          onChange={(e) => r.setQuery(e.currentTarget.value)}
        />
        <span className="muted">{r.searching ? 'Searching…' : results ? `${results.ms.toFixed(0)} ms` : ''}</span>
      </section>

      {results && (
        <p className="query-tokens" data-testid="retrieval-query-tokens">
          Query tokens:{' '}
          {results.queryTokens.map((t) => (
            <span key={t.id} className={`chip ${t.source === 'expansion' ? 'expansion' : ''}`} title={t.source} data-token-id={t.id}>
              {displayToken(t.text)}
            </span>
          ))}
          {results.truncated && <span className="muted"> (query truncated to the context)</span>}
        </p>
      )}

      <div className="columns three retrieval-results">
        <ResultColumn
          testId="retrieval-results-sparse"
          title="Sparse"
          subtitle="Σ of the document's weights on the query's tokens"
          results={results?.sparse}
          weightLabel="document weight"
          empty="No document has a query token among its aligned tokens."
        />
        <ResultColumn
          testId="retrieval-results-dense"
          title="Dense"
          subtitle="cosine of the embeddings; chips: query tokens among its aligned tokens"
          results={results?.dense}
          weightLabel="document weight"
          empty="No documents."
        />
        <ResultColumn
          testId="retrieval-results-bm25"
          title="BM25"
          subtitle={`Okapi BM25 over ${r.bm25 === 'words' ? 'stemmed words' : 'token ids'}; chips: term counts`}
          results={results?.bm25}
          weightLabel="count in document"
          empty={r.summary && !r.summary.bm25Available ? 'BM25 needs at least 3 documents.' : 'No document shares a term with the query.'}
        />
      </div>

      {(r.evaluation || r.evaluating) && (
        <section className="panel">
          <div className="panel-head">
            <h3>Evaluation</h3>
            <StaleNote computedOn={r.evaluation?.computedOn} testId="retrieval-eval-stale" />
            {r.evaluating && (
              <span className="muted" data-testid="retrieval-eval-progress">
                evaluating… {r.evalProgress.done} / {r.evalProgress.total} queries embedded
              </span>
            )}
          </div>
          {r.evaluation && <EvaluationTable evaluation={r.evaluation} bm25Available={r.summary?.bm25Available ?? false} />}
        </section>
      )}
    </>
  );
}
