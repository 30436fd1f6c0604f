import { scaleLinear } from 'd3';
import { useEffect } from 'react';
import { useCompare } from '../../state/compareStore';
import { useLens } from '../../state/store';
import type { ContributionRow } from '../../worker/protocol';
import { contributionFigure } from '../figures/charts';
import { FigureExport } from '../figures/FigureExport';
import { displayToken } from '../tokenText';

const WIDTH = 300;
const ROW = 18;

function Bars({ rows, title, testId, lambda }: { rows: ContributionRow[]; title: string; testId: string; lambda?: number }) {
  const { pair, text } = useLens();
  const chart = `PC1 contribution to the top logits: ${title.toLowerCase()}`;
  const extent = Math.max(1e-9, ...rows.flatMap((r) => [Math.abs(r.principal), Math.abs(r.rest), Math.abs(r.total)]));
  const x = scaleLinear().domain([-extent, extent]).range([0, WIDTH]);
  return (
    <div data-testid={testId}>
      <div className="chart-head">
        <h4>{title}</h4>
        <FigureExport testId={`export-${testId}`} figure={() => contributionFigure(rows, { chart, pair, text, lambda })} />
      </div>
      <table className="sr-only">
        <caption>{chart}</caption>
        <thead>
          <tr>
            <th scope="col">token</th>
            <th scope="col">PC1 part</th>
            <th scope="col">rest</th>
            <th scope="col">logit</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.id}-${i}`}>
              <th scope="row">{displayToken(r.text)}</th>
              <td>{r.principal.toFixed(3)}</td>
              <td>{r.rest.toFixed(3)}</td>
              <td>{r.total.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <svg width={WIDTH + 90} height={rows.length * ROW + 4} aria-hidden="true">
        {rows.map((r, i) => {
          // Stack the two parts from zero: PC1 part first, the rest after it.
          const pcStart = x(0);
          const pcEnd = x(r.principal);
          const restEnd = x(r.principal + r.rest);
          return (
            <g key={`${r.id}-${i}`} transform={`translate(0, ${i * ROW})`} data-testid="contribution-row" data-token-id={r.id}>
              <text x={84} y={ROW / 2 + 1} textAnchor="end" fontSize={11} dominantBaseline="middle" fontFamily="monospace">
                {Array.from(displayToken(r.text)).slice(0, 18).join('')}
              </text>
              <g transform="translate(90, 0)">
                <rect x={Math.min(pcStart, pcEnd)} width={Math.abs(pcEnd - pcStart)} y={3} height={ROW - 6} fill="#b4441e">
                  <title>{`PC1 part ${r.principal.toFixed(3)}`}</title>
                </rect>
                <rect x={Math.min(pcEnd, restEnd)} width={Math.abs(restEnd - pcEnd)} y={3} height={ROW - 6} fill="#8fa3b8">
                  <title>{`rest ${r.rest.toFixed(3)} (logit ${r.total.toFixed(3)})`}</title>
                </rect>
                <line x1={x(0)} x2={x(0)} y1={0} y2={ROW} stroke="#999" />
              </g>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** Each top token's logit split into the part from (h·u₁)u₁ (orange) and the rest (grey): the paper's contribution figure. */
export function ContributionPanel() {
  const requestId = useLens((s) => s.result?.requestId);
  const loadId = useLens((s) => s.pairInfo?.loadId);
  const contributions = useCompare((s) => s.contributions);
  const loadContributions = useCompare((s) => s.loadContributions);
  useEffect(() => {
    if (requestId !== undefined) void loadContributions();
  }, [requestId, loadContributions]);
  // Another load's split (another pair's tokens) is not shown.
  if (!contributions || contributions.computedOn.loadId !== loadId) return null;
  return (
    <div className="contribution" data-testid="contribution">
      <Bars rows={contributions.embed} title="Embedding model" testId="contribution-embed" />
      <Bars rows={contributions.base} title="Base model (λ = 0)" testId="contribution-base" lambda={0} />
    </div>
  );
}
