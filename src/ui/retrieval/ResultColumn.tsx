import type { ResultView } from '../../worker/protocol';
import { displayToken } from '../tokenText';

const SNIPPET = 220;

/** One method's ranked documents; each shows the query tokens it matched with their weights (why it matched). */
export function ResultColumn(props: { testId: string; title: string; subtitle: string; results?: ResultView[]; weightLabel: string; empty: string }) {
  const { testId, title, subtitle, results, weightLabel, empty } = props;
  return (
    <section className="column retrieval-column" data-testid={testId}>
      <h2>{title}</h2>
      <p className="subtitle">{subtitle}</p>
      {!results ? null : results.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ol className="hits">
          {results.map((r) => (
            <li key={r.id} data-testid="retrieval-hit" data-doc-id={r.id}>
              <div className="hit-head">
                <span className="hit-id">{r.id}</span>
                <span className="hit-score" title="score">
                  {r.score.toFixed(3)}
                </span>
              </div>
              <p className="hit-text">{r.text.length > SNIPPET ? `${r.text.slice(0, SNIPPET)}…` : r.text}</p>
              {r.matches.length > 0 ? (
                <p className="hit-why" data-testid="retrieval-matches">
                  {r.matches.map((m) => (
                    <span key={`${m.token}:${m.id ?? ''}`} className="chip" title={`${weightLabel} ${m.weight.toFixed(3)}`} data-token-id={m.id}>
                      {displayToken(m.token)} <b>{Number.isInteger(m.weight) ? m.weight : m.weight.toFixed(2)}</b>
                    </span>
                  ))}
                </p>
              ) : (
                <p className="hit-why muted">no query token among its aligned tokens</p>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
