import { line, scaleLinear } from 'd3';
import { useRef } from 'react';
import { useLens } from '../../state/store';
import type { LayerRow } from '../../worker/protocol';
import { FigureExport } from '../figures/FigureExport';
import type { FigureSpec } from '../figures/figure';
import { PALETTE } from '../palette';

const WIDTH = 360;
const HEIGHT = 150;
const M = { top: 10, right: 110, bottom: 28, left: 36 };

type Series = { key: string; label: string; color: string; dash?: string; value: (r: LayerRow) => number | null };

const SERIES: Series[] = [
  { key: 'embed-hit', label: 'embed Hit@k', color: PALETTE.seriesEmbed, value: (r) => r.embed.hit },
  { key: 'embed-content', label: 'embed content', color: PALETTE.seriesEmbed, dash: '4 3', value: (r) => r.contentHit.embed },
  { key: 'base-hit', label: 'base Hit@k', color: PALETTE.seriesBase, value: (r) => r.base.hit },
  { key: 'base-content', label: 'base content', color: PALETTE.seriesBase, dash: '4 3', value: (r) => r.contentHit.base },
];

/**
 * Hit@k and content Hit@k per layer, for both models (base at the view's λ): where
 * alignment appears. A plain <svg> with role="img", so export and a11y tooling can wrap it.
 */
export function LayerHitChart({ rows, k }: { rows: LayerRow[]; k: number }) {
  const svg = useRef<SVGSVGElement>(null);
  const pair = useLens((s) => s.pairInfo?.name ?? s.pair);
  const text = useLens((s) => s.text);
  const lambda = useLens((s) => s.lambda);
  // The figure is the chart as drawn: its own markup, with the title, caption and metadata every figure has.
  const figure = (): FigureSpec | undefined =>
    svg.current
      ? { name: 'layer-hits', width: WIDTH, height: HEIGHT, body: svg.current.innerHTML, meta: { chart: `Hit@${k} per layer`, pair, text, lambda } }
      : undefined;
  const x = scaleLinear()
    .domain([1, Math.max(2, rows.length)])
    .range([M.left, WIDTH - M.right]);
  const y = scaleLinear()
    .domain([0, 1])
    .range([HEIGHT - M.bottom, M.top]);
  // Lines are offset a little per series so that equal 0/1 values stay visible.
  const offset = (i: number) => (i - 1.5) * 2;
  const summary = rows.map((r) => `layer ${r.layer}: embed ${r.embed.hit}, base ${r.base.hit}`).join('; ');
  return (
    <div className="layer-hit-figure">
      <FigureExport testId="export-layer-hits" figure={figure} />
      <svg
        ref={svg}
        width={WIDTH}
        height={HEIGHT}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Hit@${k} per layer, shallow to deep (${summary})`}
        data-testid="layer-hit-chart"
        className="layer-hit-chart"
      >
        <line x1={M.left} x2={WIDTH - M.right} y1={y(0)} y2={y(0)} stroke="#999" />
        <line x1={M.left} x2={M.left} y1={y(0)} y2={y(1)} stroke="#999" />
        {[0, 1].map((v) => (
          <text key={v} x={M.left - 6} y={y(v)} textAnchor="end" dominantBaseline="middle" fontSize={10}>
            {v}
          </text>
        ))}
        {rows.map((r) => (
          <text key={r.layer} x={x(r.layer)} y={HEIGHT - M.bottom + 14} textAnchor="middle" fontSize={10}>
            {r.layer}
          </text>
        ))}
        <text x={(M.left + WIDTH - M.right) / 2} y={HEIGHT - 2} textAnchor="middle" fontSize={10}>
          layer
        </text>
        {SERIES.map((s, i) => {
          const points = rows.filter((r) => s.value(r) !== null).map((r) => [x(r.layer), y(s.value(r) as number) + offset(i)] as [number, number]);
          return (
            <g key={s.key} data-series={s.key}>
              <path d={line()(points) ?? ''} fill="none" stroke={s.color} strokeWidth={1.5} strokeDasharray={s.dash} />
              {points.map(([px, py]) => (
                <circle key={`${px}`} cx={px} cy={py} r={2.5} fill={s.color} />
              ))}
              <line x1={WIDTH - M.right + 8} x2={WIDTH - M.right + 24} y1={M.top + i * 14} y2={M.top + i * 14} stroke={s.color} strokeDasharray={s.dash} />
              <text x={WIDTH - M.right + 28} y={M.top + i * 14} dominantBaseline="middle" fontSize={10}>
                {s.label}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
