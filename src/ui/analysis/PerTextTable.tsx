import { useMemo, useState } from 'react';
import type { AnalysisState } from '../../state/analysisStore';
import { useLens } from '../../state/store';
import { download } from '../download';
import { displayToken } from '../tokenText';
import { analysisCsv, analysisJson } from './analysisExport';
import { type PerTextRow, perTextRows } from './perTextRows';

type SortKey = 'index' | 'embedLar' | 'baseLar' | 'gain';
type Direction = 'ascending' | 'descending';

const PAGE = 50;

/** A first click sorts by position from the first text, by a metric from the largest value; a second click reverses. */
const FIRST_DIRECTION: Record<SortKey, Direction> = { index: 'ascending', embedLar: 'descending', baseLar: 'descending', gain: 'descending' };

/** Rows in the chosen order; equal values keep the dataset's order whichever way the column runs. */
function sortRows(rows: PerTextRow[], key: SortKey, direction: Direction): PerTextRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  if (key === 'index') return sign === 1 ? rows : [...rows].reverse();
  return [...rows].sort((a, b) => sign * (a[key] - b[key]) || a.index - b.index);
}

/** Sets the explorer's text and switches to it. */
function openInExplorer(text: string) {
  const lens = useLens.getState();
  lens.setText(text);
  lens.setView('explorer');
}

/** Every analysed text with its key tokens and both models' top tokens; sortable both ways, exportable, each openable in the explorer. */
export function PerTextTable({ analysis }: { analysis: NonNullable<AnalysisState['result']> }) {
  const [sort, setSort] = useState<{ key: SortKey; direction: Direction }>({ key: 'index', direction: 'ascending' });
  const [shown, setShown] = useState(PAGE);
  const k = analysis.report.k;
  const rows = useMemo(() => perTextRows(analysis), [analysis]);
  const sorted = useMemo(() => sortRows(rows, sort.key, sort.direction), [rows, sort]);

  const sortBy = (key: SortKey) =>
    setSort((s) => ({ key, direction: s.key !== key ? FIRST_DIRECTION[key] : s.direction === 'ascending' ? 'descending' : 'ascending' }));

  const header = (key: SortKey, label: string) => {
    const active = sort.key === key;
    return (
      <th aria-sort={active ? sort.direction : undefined} data-testid={`sort-${key}`}>
        <button type="button" className="sort" onClick={() => sortBy(key)}>
          {label}
          {active ? (sort.direction === 'ascending' ? ' ↑' : ' ↓') : ''}
        </button>
      </th>
    );
  };

  return (
    <div className="panel">
      <div className="panel-head">
        <h3>Per text</h3>
        <div className="actions">
          <button type="button" data-testid="export-csv" onClick={() => download('embedding-lens-analysis.csv', analysisCsv(analysis), 'text/csv')}>
            Export CSV
          </button>
          <button type="button" data-testid="export-json" onClick={() => download('embedding-lens-analysis.json', analysisJson(analysis), 'application/json')}>
            Export JSON
          </button>
        </div>
      </div>
      <p className="muted small">
        The exports hold the settings, the summary table and every text's metrics under the three models, content variants and gain included.
      </p>
      <div className="table-scroll">
        <table className="data per-text" data-testid="per-text-table">
          <thead>
            <tr>
              {header('index', '#')}
              <th>text</th>
              <th>key tokens (embedder)</th>
              <th>embedder top-{k}</th>
              <th>base top-{k}</th>
              {header('embedLar', 'LAR embed')}
              {header('baseLar', 'LAR base')}
              {header('gain', 'gain')}
            </tr>
          </thead>
          <tbody>
            {sorted.slice(0, shown).map((r) => (
              <tr key={r.index} data-testid="per-text-row" data-index={r.index}>
                <td>
                  {r.index + 1}{' '}
                  <button
                    type="button"
                    className="open-row"
                    data-testid="open-in-explorer"
                    aria-label={`Open text ${r.index + 1} in the explorer`}
                    title="Open this text in the explorer"
                    onClick={() => openInExplorer(r.text)}
                  >
                    ↗
                  </button>
                </td>
                <td className="text-cell">{r.text}</td>
                <td className="tokens-cell key">{r.keyTokens.map(displayToken).join(' ')}</td>
                <td className="tokens-cell">{r.embedTop.map(displayToken).join(' ')}</td>
                <td className="tokens-cell">{r.baseTop.map(displayToken).join(' ')}</td>
                <td>{r.embedLar.toFixed(2)}</td>
                <td>{r.baseLar.toFixed(2)}</td>
                <td>{r.gain.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown < sorted.length && (
        <button type="button" onClick={() => setShown(shown + PAGE * 4)}>
          Show more ({sorted.length - shown} left)
        </button>
      )}
    </div>
  );
}
