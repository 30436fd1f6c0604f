import { useShallow } from 'zustand/react/shallow';
import { MODEL_KEYS, type ModelKey } from '../../core/report';
import { inputNote, inputOf } from '../../state/analysisInput';
import { DATASET_LABELS, type DatasetSource, useAnalysis } from '../../state/analysisStore';
import { useDisplay } from '../../state/displayStore';
import { useStaleNote } from '../../state/provenance';
import { useLens } from '../../state/store';
import { pc1TokensFigure, variationFigure } from '../figures/charts';
import { FigureExport } from '../figures/FigureExport';
import { displayToken } from '../tokenText';
import { DatasetFileRow } from './DatasetFileRow';
import { MetricDefinitions } from './MetricDefinitions';
import { metricTitle } from './metricDefinitions';
import { PerTextTable } from './PerTextTable';
import { VariationChart } from './VariationChart';

const MODEL_LABELS: Record<ModelKey, string> = {
  embed: 'Embedding model',
  base: 'Base model',
  baseAdjusted: 'Base + v₁·u₁',
};

/** The paper's dataset analysis: alignment metrics, spectral variation, PC1's tokens, per-text list. */
export function AnalysisView() {
  const a = useAnalysis(
    useShallow((s) => ({
      source: s.source,
      limit: s.limit,
      file: s.file,
      column: s.column,
      status: s.status,
      progress: s.progress,
      result: s.result,
      message: s.message,
      setSource: s.setSource,
      setLimit: s.setLimit,
      run: s.run,
      cancel: s.cancel,
      applyToExplorer: s.applyToExplorer,
    })),
  );
  const ready = useLens((s) => s.load.phase === 'ready');
  const pair = useLens((s) => s.pair);
  const result = a.result;
  // A result of another pair (or an earlier load) is shown for reference only.
  const stale = useStaleNote(result?.computedOn);
  // A result of another dataset, file, column or size than the one chosen now (a refused file included).
  const otherInput = inputNote(result, inputOf(a));
  const report = result?.report;
  const hideNoise = useDisplay((s) => s.hideNoise);
  const setHideNoise = useDisplay((s) => s.setHideNoise);
  // An analysis kept from before the filter existed (a saved file) has no filtered lists: show its own.
  const pc1 =
    result && hideNoise && result.pc1Filtered
      ? result.pc1Filtered
      : { positive: result?.pc1Positive ?? [], negative: result?.pc1Negative ?? [], hidden: undefined };
  const running = a.status === 'running';
  const percent = a.progress.total ? (a.progress.done / a.progress.total) * 100 : 0;

  return (
    <>
      <section className="panel analysis-controls">
        <fieldset disabled={running}>
          <legend>Dataset</legend>
          {(Object.keys(DATASET_LABELS) as DatasetSource[]).map((source) => (
            <label key={source} className="radio">
              <input type="radio" name="dataset" value={source} checked={a.source === source} onChange={() => a.setSource(source)} />
              {DATASET_LABELS[source]}
            </label>
          ))}
          {a.source === 'file' && <DatasetFileRow />}
          <label>
            first{' '}
            <input
              type="number"
              data-testid="analysis-limit"
              min={2}
              value={a.limit}
              onChange={(e) => a.setLimit(Number(e.currentTarget.value))}
              style={{ width: 80 }}
            />{' '}
            texts
          </label>
        </fieldset>
        <div className="run-row">
          <button type="button" className="primary" data-testid="analysis-run" onClick={() => void a.run()} disabled={running || !ready}>
            Run analysis
          </button>
          {running && (
            <>
              <progress data-testid="analysis-progress" max={100} value={percent} />
              <span className="muted">
                {a.progress.done} / {a.progress.total}
              </span>
              <button type="button" data-testid="analysis-cancel" onClick={a.cancel}>
                Cancel
              </button>
            </>
          )}
          {a.message && (
            <span className="muted" data-testid="analysis-message">
              {a.message}
            </span>
          )}
        </div>
      </section>

      {report && result && (
        <>
          <section className="panel">
            {stale && (
              <p className="stale-note" data-testid="stale-note" role="status">
                {stale}
              </p>
            )}
            {otherInput && (
              <p className="stale-note" data-testid="analysis-input-stale" role="status">
                {otherInput}
              </p>
            )}
            <div className="panel-head">
              <h3>
                Alignment on {result.dataset}: {report.n} texts, k = {report.k}
              </h3>
              <button
                type="button"
                data-testid="use-direction"
                disabled={!ready || stale !== undefined}
                title={stale ? "Computed on another pair or load: it cannot drive this pair's slider." : undefined}
                onClick={() => void a.applyToExplorer()}
              >
                Use this u₁ / v₁ in the explorer
              </button>
            </div>
            <div className="table-scroll">
              <table className="data" data-testid="analysis-table">
                <thead>
                  <tr>
                    <th />
                    <th title={metricTitle('Hit@k')}>Hit@10</th>
                    <th title={metricTitle('LAR')}>LAR</th>
                    <th title={metricTitle('GAR')}>GAR</th>
                    <th title={metricTitle('content Hit@10, LAR, GAR')}>content Hit@10</th>
                    <th title={metricTitle('content Hit@10, LAR, GAR')}>content LAR</th>
                    <th title={metricTitle('content Hit@10, LAR, GAR')}>content GAR</th>
                    <th title={metricTitle('top-k frequent')}>top-k frequent</th>
                  </tr>
                </thead>
                <tbody>
                  {MODEL_KEYS.map((key) => (
                    <tr key={key} data-testid={`analysis-row-${key}`}>
                      <td>{MODEL_LABELS[key]}</td>
                      <td>{report.metrics[key].hit10.toFixed(3)}</td>
                      <td>{report.metrics[key].lar.toFixed(3)}</td>
                      <td>{report.metrics[key].gar.toFixed(3)}</td>
                      <td>{report.content[key].hit10.toFixed(3)}</td>
                      <td>{report.content[key].lar.toFixed(3)}</td>
                      <td>{report.content[key].gar.toFixed(3)}</td>
                      <td>{report.frequentShare[key].toFixed(3)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="muted small">
              Base + v₁·u₁ uses λ = v₁ = {report.lambda.toFixed(3)} from this dataset. Content variants skip texts without a content token (
              {report.n - report.content.embed.n} here); the paper reports only the plain metrics.
            </p>
            <MetricDefinitions />
          </section>

          <section className="panel two-up">
            <div>
              <div className="chart-head">
                <h3>Spectral variation v₁…v₂₀</h3>
                <FigureExport
                  testId="export-variation"
                  figure={() =>
                    variationFigure(report.variation, {
                      chart: 'Spectral variation v_j',
                      pair,
                      text: `${report.n} texts of ${result.dataset}`,
                      lambda: report.lambda,
                    })
                  }
                />
              </div>
              <VariationChart variation={report.variation} />
              <p className="muted small" data-testid="pc1-share">
                PC1 carries {(report.shares[0] * 100).toFixed(1)}% of the base embeddings' energy; |v₁| / max<sub>j&gt;1</sub>|v
                <sub>j</sub>| = {(Math.abs(report.variation[0]) / Math.max(...report.variation.slice(1, 10).map(Math.abs))).toFixed(2)}
              </p>
            </div>
            <div>
              <div className="chart-head">
                <h3>What PC1 points at (W·u₁)</h3>
                <FigureExport
                  testId="export-pc1-tokens"
                  figure={() =>
                    pc1TokensFigure(
                      pc1.positive.map((id) => result.tokenTexts[id] ?? ''),
                      pc1.negative.map((id) => result.tokenTexts[id] ?? ''),
                      { chart: 'Tokens along PC1 (W·u₁)', pair, text: `${report.n} texts of ${result.dataset}`, lambda: report.lambda },
                    )
                  }
                />
              </div>
              <label className="small">
                <input type="checkbox" data-testid="pc1-hide-noise" checked={hideNoise} onChange={(e) => setHideNoise(e.currentTarget.checked)} /> hide byte and
                special tokens
                {pc1.hidden && (
                  <span className="muted" data-testid="pc1-hidden">
                    {' '}
                    ({pc1.hidden.positive + pc1.hidden.negative} hidden: {pc1.hidden.positive} at the positive end, {pc1.hidden.negative} at the negative)
                  </span>
                )}
              </label>
              <div className="pc1-tokens">
                <div>
                  <h4>most positive</h4>
                  <ol data-testid="pc1-positive">
                    {pc1.positive.map((id) => (
                      <li key={id}>{displayToken(result.tokenTexts[id] ?? '')}</li>
                    ))}
                  </ol>
                </div>
                <div>
                  <h4>most negative</h4>
                  <ol data-testid="pc1-negative">
                    {pc1.negative.map((id) => (
                      <li key={id}>{displayToken(result.tokenTexts[id] ?? '')}</li>
                    ))}
                  </ol>
                </div>
              </div>
            </div>
          </section>

          <PerTextTable analysis={result} />
        </>
      )}
    </>
  );
}
