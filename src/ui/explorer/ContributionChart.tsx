import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useCompare } from '../../state/compareStore';
import { useLens } from '../../state/store';
import type { ContributionRow } from '../../worker/protocol';
import { contributionFigure } from '../figures/charts';
import { contributionLayout, contributionValues } from '../figures/contributionLayout';
import { FigureExport } from '../figures/FigureExport';
import { Legend } from '../Legend';
import { displayToken } from '../tokenText';
import { useWidth } from '../useWidth';

const PLOT = 260;
const LABEL = 90;
const ROW = 22;
const AXIS = 22;
/** Room right of the plot for each row's values. */
const VALUES = 150;
/** The chart's width with the values beside the bars; with less room (a phone) they go under each row's bars. */
const WIDE = LABEL + PLOT + VALUES;
const NARROW = { label: 72, row: 34, minPlot: 160, maxPlot: 300 };

/** Where each part of the chart goes in `room` pixels (the full-size chart when unmeasured or wide enough). */
function geometry(room: number | undefined) {
  if (room === undefined || room >= WIDE)
    return { narrow: false, label: LABEL, plot: PLOT, row: ROW, width: WIDE, valuesX: LABEL + PLOT + 8, valuesY: ROW / 2, bar: ROW, chars: 12 };
  const plot = Math.max(NARROW.minPlot, Math.min(NARROW.maxPlot, room - NARROW.label - 8));
  return {
    narrow: true,
    label: NARROW.label,
    plot,
    row: NARROW.row,
    width: NARROW.label + plot + 8,
    valuesX: NARROW.label,
    valuesY: NARROW.row - 7,
    bar: ROW,
    chars: 9,
  };
}
/** The slider's λ is asked for once it rests (a drag sends many ticks), as the token diff is. */
const REST_MS = 200;

function Bars({ rows, title, testId, lambda, room }: { rows: ContributionRow[]; title: string; testId: string; lambda?: number; room?: number }) {
  const { pair, text } = useLens(useShallow((s) => ({ pair: s.pair, text: s.text })));
  const chart = `PC1 contribution to the top logits: ${title.toLowerCase()}`;
  const { narrow, label, plot, row, width, valuesX, valuesY, bar, chars } = geometry(room);
  const layout = contributionLayout(rows, plot);
  const height = rows.length * row + AXIS;
  return (
    <div data-testid={testId} data-lambda={lambda}>
      <div className="chart-head">
        <h4>{title}</h4>
        <FigureExport testId={`export-${testId}`} figure={() => contributionFigure(rows, { chart, pair, text, lambda })} />
      </div>
      {/* Hidden in a box of its own: a table is never narrower than its caption and cells, so a hidden one would widen a phone's page. */}
      <div className="sr-only">
        <table>
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
      </div>
      <svg className={narrow ? 'contribution-chart narrow' : 'contribution-chart'} width={width} height={height} aria-hidden="true">
        <g transform={`translate(${label}, 0)`}>
          <g className="axis" transform={`translate(0, ${rows.length * row})`}>
            {layout.ticks.map((t) => (
              <g key={t.value} transform={`translate(${t.x}, 0)`}>
                <line y1={-rows.length * row} y2={4} />
                <text y={15} textAnchor="middle">
                  {t.value}
                </text>
              </g>
            ))}
          </g>
          <line className="zero-line" data-testid="contribution-zero" x1={layout.zero} x2={layout.zero} y1={0} y2={rows.length * row} />
        </g>
        {rows.map((r, i) => {
          const { pc1, rest, total } = layout.rows[i];
          return (
            <g key={`${r.id}-${i}`} transform={`translate(0, ${i * row})`} data-testid="contribution-row" data-token-id={r.id}>
              <text x={label - 6} y={bar / 2} textAnchor="end" fontSize={11} dominantBaseline="middle" fontFamily="monospace">
                {Array.from(displayToken(r.text)).slice(0, chars).join('')}
              </text>
              <g transform={`translate(${label}, 0)`}>
                {/* Two thin bars, each from zero: PC1 part above, rest below. */}
                <rect className="pc1-part" data-part="pc1" x={pc1.x} width={pc1.width} y={3} height={(bar - 6) / 2}>
                  <title>{`PC1 part ${r.principal.toFixed(3)}`}</title>
                </rect>
                <rect className="rest-part" data-part="rest" x={rest.x} width={rest.width} y={bar / 2} height={(bar - 6) / 2}>
                  <title>{`rest ${r.rest.toFixed(3)}`}</title>
                </rect>
                <line className="total-mark" data-part="total" x1={total} x2={total} y1={1} y2={bar - 1}>
                  <title>{`logit ${r.total.toFixed(3)}`}</title>
                </line>
              </g>
              <text className="values" x={valuesX} y={valuesY} dominantBaseline="middle">
                {contributionValues(r)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** Each top token's logit split into the part from (h·u₁)u₁ and the rest: the paper's contribution figure, the base side at the slider's λ. */
export function ContributionPanel() {
  const { requestId, loadId, lambda, k } = useLens(
    useShallow((s) => ({ requestId: s.result?.requestId, loadId: s.pairInfo?.loadId, lambda: s.lambda, k: s.k })),
  );
  const contributions = useCompare((s) => s.contributions);
  const { ref, width: room } = useWidth<HTMLDivElement>();
  const loadContributions = useCompare((s) => s.loadContributions);
  // biome-ignore lint/correctness/useExhaustiveDependencies: loadContributions reads λ and k from the store; listing them asks again when they change.
  useEffect(() => {
    if (requestId === undefined) return;
    const timer = setTimeout(() => void loadContributions(), REST_MS);
    return () => clearTimeout(timer);
  }, [requestId, lambda, k, loadContributions]);
  // Another load's split (another pair's tokens) is not shown.
  if (!contributions || contributions.computedOn.loadId !== loadId) return null;
  const at = contributions.lambda;
  return (
    <>
      <Legend
        testId="contribution-legend"
        label="Contribution chart legend"
        items={[
          { swatch: 'pc1-part', text: 'PC1 part, (h·u₁)(w·u₁)' },
          { swatch: 'rest-part', text: 'rest, everything else' },
          { swatch: 'total', text: 'logit w·h (their sum)' },
        ]}
      />
      <div className="contribution" data-testid="contribution" ref={ref}>
        <Bars rows={contributions.embed} title="Embedding model" testId="contribution-embed" room={room} />
        <Bars rows={contributions.base} title={`Base model (λ = ${at === 0 ? '0' : at.toFixed(2)})`} testId="contribution-base" lambda={at} room={room} />
      </div>
    </>
  );
}
