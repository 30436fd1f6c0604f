import { useShallow } from 'zustand/react/shallow';
import { useDisplay } from '../../state/displayStore';
import { layersQuery } from '../../state/explorerQueries';
import { usePanels } from '../../state/panelStore';
import { useLens } from '../../state/store';
import { useWorkerAnswer } from '../../state/workerQuery';
import { type ColumnResult, directionV1 } from '../../worker/protocol';
import { Legend } from '../Legend';
import { displayToken } from '../tokenText';
import { LayerHitChart } from './LayerHitChart';

const LAMBDA_DEBOUNCE_MS = 200;

const sameLoad = (a: { loadId: string }, b: { loadId: string }) => a.loadId === b.loadId;

/** One model's row at one layer: its top k, with byte and special tokens left out when the token filter is on. */
function Cells({ column, textIds }: { column: ColumnResult; textIds: ReadonlySet<number> }) {
  const hideNoise = useDisplay((s) => s.hideNoise);
  return (
    <>
      {(hideNoise ? column.filtered.tokens : column.tokens).map((t, i) => (
        <td key={`${t.id}-${i}`} data-token-id={t.id} className={textIds.has(t.id) ? 'chip key' : 'chip'} title={`#${i + 1} id ${t.id}`}>
          {displayToken(t.text)}
        </td>
      ))}
    </>
  );
}

/**
 * The logit lens on pooled embeddings: for each layer, the pooled hidden state
 * through the final norm and W, top-k for both models, shallow to deep (the
 * deepest row is the columns above), and Hit@k per layer as a chart.
 */
export function LayerView() {
  const open = usePanels((s) => s.open.includes('layers'));
  const setOpen = usePanels((s) => s.setOpen);
  const tokens = useLens((s) => s.result?.tokens);
  const question = useLens(
    useShallow((s) =>
      open && s.result && s.pairInfo && s.text.trim()
        ? { loadId: s.pairInfo.loadId, requestId: s.result.requestId, k: s.k, lambda: s.lambda, v1: directionV1(s.pairInfo.direction) }
        : undefined,
    ),
  );
  // While λ moves, the rows at the last λ stay (same load), marked busy.
  const { value: current, error, busy } = useWorkerAnswer(layersQuery, question, { delayMs: LAMBDA_DEBOUNCE_MS, shows: sameLoad });
  const textIds = new Set((tokens ?? []).map((t) => t.id));
  const reasons = current ? Object.entries(current.reasons) : [];
  return (
    <details className="panel" data-testid="layer-details" open={open} onToggle={(e) => setOpen('layers', e.currentTarget.open)}>
      <summary>Layers: where the key tokens appear</summary>
      <p className="muted small">
        Each layer's pooled hidden state, passed through the model's final norm and W (the logit lens on the embedding). The base moves along each layer's own
        PC1 by (λ / v₁) · v₁ of that layer; the deepest row is the columns above.
      </p>
      <Legend items={[{ swatch: 'in-text', text: 'in the text' }]} label="Layer tokens legend" />
      {error && (
        <p className="error" role="alert" data-testid="layer-error">
          {error}
        </p>
      )}
      {busy && !current && <p className="muted">Reading every layer…</p>}
      {current && reasons.length > 0 && (
        <p className="notice" data-testid="layer-unavailable">
          No layer view for this pair: {reasons.map(([model, reason]) => `the ${model === 'embed' ? 'embedding' : 'base'} model's ${reason}`).join('; ')}.
        </p>
      )}
      {current && current.rows.length > 0 && (
        <div className="layer-view" data-testid="layer-view" aria-busy={busy} data-lambda={current.lambda}>
          <LayerHitChart rows={current.rows} k={current.k} />
          <div className="layer-grid-scroll">
            <table className="layer-grid">
              <thead>
                <tr>
                  <th scope="col">layer</th>
                  <th scope="col">model</th>
                  {Array.from({ length: current.k }, (_, i) => (
                    <th key={i} scope="col">
                      {i + 1}
                    </th>
                  ))}
                </tr>
              </thead>
              {current.rows.map((row) => (
                <tbody key={row.layer} data-testid="layer-row" data-layer={row.layer}>
                  <tr data-testid="layer-embed">
                    <th rowSpan={2} scope="rowgroup">
                      {row.layer}
                    </th>
                    <th scope="row">embed</th>
                    <Cells column={row.embed} textIds={textIds} />
                  </tr>
                  <tr data-testid="layer-base" title={`base at λ = ${row.lambda.toFixed(3)}`}>
                    <th scope="row">base</th>
                    <Cells column={row.base} textIds={textIds} />
                  </tr>
                </tbody>
              ))}
            </table>
          </div>
        </div>
      )}
    </details>
  );
}
