import { scaleBand, scaleLinear } from 'd3';
import { useWidth } from '../useWidth';

/** The chart's width where there is room; narrower (a phone) it takes the width it has. */
const MAX_WIDTH = 520;
const MIN_WIDTH = 240;
const HEIGHT = 180;
const MARGIN = { top: 10, right: 10, bottom: 24, left: 44 };

/** v_j for j = 1..n as bars (paper Fig. 3): PC1's bar should tower over the rest. */
export function VariationChart({ variation }: { variation: number[] }) {
  const { ref, width: room } = useWidth<HTMLDivElement>();
  const width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, room ?? MAX_WIDTH));
  const values = variation.slice(0, 20);
  const x = scaleBand<number>()
    .domain(values.map((_, j) => j + 1))
    .range([MARGIN.left, width - MARGIN.right])
    .padding(0.2);
  const extent = Math.max(1e-9, ...values.map(Math.abs));
  const y = scaleLinear()
    .domain([-extent, extent])
    .range([HEIGHT - MARGIN.bottom, MARGIN.top])
    .nice();
  const ticks = y.ticks(4);
  return (
    <>
      {/* Hidden in a box of its own: a table is never narrower than its caption and cells, so a hidden one would widen a phone's page. */}
      <div className="sr-only">
        <table>
          <caption>Spectral variation v_j of the first {values.length} principal components</caption>
          <thead>
            <tr>
              <th scope="col">j</th>
              <th scope="col">v_j</th>
            </tr>
          </thead>
          <tbody>
            {values.map((v, j) => (
              <tr key={j}>
                <th scope="row">{j + 1}</th>
                <td>{v.toFixed(4)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div ref={ref}>
        <svg width={width} height={HEIGHT} aria-hidden="true" data-testid="variation-chart">
          {ticks.map((t) => (
            <g key={t}>
              <line x1={MARGIN.left} x2={width - MARGIN.right} y1={y(t)} y2={y(t)} stroke="#eee" />
              <text x={MARGIN.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle" fontSize={10} fill="#5b636e">
                {t}
              </text>
            </g>
          ))}
          {values.map((v, j) => (
            <rect
              key={j}
              data-testid="variation-bar"
              x={x(j + 1)}
              width={x.bandwidth()}
              y={Math.min(y(0), y(v))}
              height={Math.max(1, Math.abs(y(v) - y(0)))}
              fill={j === 0 ? '#b4441e' : '#8fa3b8'}
            >
              <title>{`v${j + 1} = ${v.toFixed(4)}`}</title>
            </rect>
          ))}
          <line x1={MARGIN.left} x2={width - MARGIN.right} y1={y(0)} y2={y(0)} stroke="#999" />
          {values.map((_, j) =>
            j % 2 === 0 ? (
              <text key={j} x={(x(j + 1) ?? 0) + x.bandwidth() / 2} y={HEIGHT - 8} textAnchor="middle" fontSize={10} fill="#5b636e">
                {j + 1}
              </text>
            ) : null,
          )}
        </svg>
      </div>
    </>
  );
}
