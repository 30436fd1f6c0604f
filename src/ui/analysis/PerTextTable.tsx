import Papa from 'papaparse';
import { useMemo, useState } from 'react';
import { hitAtK, localAlignmentRate, uniqueIds } from '../../core/metrics';
import type { DatasetAnalysis } from '../../worker/protocol';
import { download } from '../download';
import { displayToken } from '../tokenText';

type SortKey = 'index' | 'embedLar' | 'baseLar' | 'gain';

interface Row {
  index: number;
  text: string;
  keyTokens: string[];
  embedTop: string[];
  baseTop: string[];
  embedHit: number;
  embedLar: number;
  baseHit: number;
  baseLar: number;
  gain: number;
}

const PAGE = 50;

/** Every analysed text with its key tokens and both models' top tokens; sortable, exportable. */
export function PerTextTable({ analysis }: { analysis: DatasetAnalysis }) {
  const [sort, setSort] = useState<SortKey>('index');
  const [shown, setShown] = useState(PAGE);
  const { report, tokenTexts } = analysis;
  const k = report.k;
  const rows: Row[] = useMemo(
    () =>
      report.perText.map((p, index) => {
        const ids = uniqueIds(p.ids);
        const word = (id: number) => tokenTexts[id] ?? `#${id}`;
        const embedTop = p.top.embed.slice(0, k);
        const embedLar = localAlignmentRate(p.top.embed, ids);
        const baseLar = localAlignmentRate(p.top.base, ids);
        return {
          index,
          text: p.text,
          keyTokens: ids.filter((id) => embedTop.includes(id)).map(word),
          embedTop: embedTop.map(word),
          baseTop: p.top.base.slice(0, k).map(word),
          embedHit: hitAtK(p.top.embed, ids, k),
          embedLar,
          baseHit: hitAtK(p.top.base, ids, k),
          baseLar,
          gain: embedLar - baseLar,
        };
      }),
    [report, tokenTexts, k],
  );
  const sorted = useMemo(() => {
    const copy = [...rows];
    if (sort !== 'index') copy.sort((a, b) => b[sort] - a[sort] || a.index - b.index);
    return copy;
  }, [rows, sort]);

  const exportRows = () =>
    rows.map((r) => ({
      text: r.text,
      key_tokens: r.keyTokens.join(' | '),
      embed_top: r.embedTop.join(' | '),
      base_top: r.baseTop.join(' | '),
      embed_hit: r.embedHit,
      embed_lar: r.embedLar,
      base_hit: r.baseHit,
      base_lar: r.baseLar,
    }));

  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort === key ? 'descending' : 'none'}>
      <button type="button" className="sort" onClick={() => setSort(key)}>
        {label}
        {sort === key ? ' ↓' : ''}
      </button>
    </th>
  );

  return (
    <div className="panel">
      <div className="panel-head">
        <h3>Per text</h3>
        <div className="actions">
          <button type="button" data-testid="export-csv" onClick={() => download('embedding-lens-per-text.csv', Papa.unparse(exportRows()), 'text/csv')}>
            Export CSV
          </button>
          <button
            type="button"
            data-testid="export-json"
            onClick={() => download('embedding-lens-per-text.json', JSON.stringify(exportRows(), null, 2), 'application/json')}
          >
            Export JSON
          </button>
        </div>
      </div>
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
            <tr key={r.index} data-testid="per-text-row">
              <td>{r.index + 1}</td>
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
      {shown < sorted.length && (
        <button type="button" onClick={() => setShown(shown + PAGE * 4)}>
          Show more ({sorted.length - shown} left)
        </button>
      )}
    </div>
  );
}
