import { METRIC_DEFINITIONS, PAPER_SECTION } from './metricDefinitions';

/** The "?" disclosure under the summary table: every metric in words, reachable from the keyboard. */
export function MetricDefinitions() {
  return (
    <details className="metric-definitions" data-testid="metric-definitions">
      <summary>
        <span aria-hidden="true">? </span>What Hit@k, LAR and GAR mean
      </summary>
      <dl>
        {METRIC_DEFINITIONS.map((d) => (
          <div key={d.term}>
            <dt>{d.term}</dt>
            <dd>{d.definition}</dd>
          </div>
        ))}
      </dl>
      <p className="muted small">Hit@k, LAR and GAR as defined in {PAPER_SECTION}; the formulas the code uses are in docs/design.md.</p>
    </details>
  );
}
