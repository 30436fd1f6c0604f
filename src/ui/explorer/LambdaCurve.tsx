import { curveStepAfter, line, scaleLinear } from 'd3';
import { useShallow } from 'zustand/react/shallow';
import { curveQuery } from '../../state/explorerQueries';
import { sliderBound } from '../../state/lambdaRange';
import { useLens } from '../../state/store';
import { useWorkerAnswer } from '../../state/workerQuery';
import { Legend } from '../Legend';

const [WIDTH, HEIGHT] = [360, 120];
const MARGIN = { top: 8, right: 10, bottom: 22, left: 30 };

/**
 * How the effect grows with λ for this text (paper §4.2): the base model's content Hit@k and the share of its
 * top k that the embedder's top k also has, across the slider's range, v₁ and the slider's λ marked. The worker
 * computes it from the scores it holds (core/lambdaCurve.ts), once per text; a slider move only moves the mark.
 */
export function LambdaCurve({ lambda, v1 }: { lambda: number; v1: number }) {
  const question = useLens(
    useShallow((s) => (s.result && s.pairInfo ? { loadId: s.pairInfo.loadId, requestId: s.result.requestId, k: s.k, bound: sliderBound(v1) } : undefined)),
  );
  const { value: curve, error } = useWorkerAnswer(curveQuery, question);
  if (error) return <p className="error small">{error}</p>;
  if (!curve) return null;
  const { k } = curve;
  const x = scaleLinear()
    .domain([-curve.bound, curve.bound])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain([0, 1])
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const overlapPath = line<(typeof curve.points)[number]>()
    .x((p) => x(p.lambda))
    .y((p) => y(p.overlap))(curve.points);
  const hasContent = curve.points.some((p) => p.contentHit !== null);
  const hitPath = hasContent
    ? line<(typeof curve.points)[number]>()
        .x((p) => x(p.lambda))
        .y((p) => y(p.contentHit ?? 0) + (p.contentHit ? 2 : -2)) // nudged off the overlap line where both are 0 or 1
        .curve(curveStepAfter)(curve.points)
    : null;
  const nearest = (at: number) => curve.points.reduce((best, p) => (Math.abs(p.lambda - at) < Math.abs(best.lambda - at) ? p : best));
  const atV1 = nearest(v1);
  const atZero = nearest(0);
  const summary = `At λ = 0 the base shares ${Math.round(atZero.overlap * k)} of ${k} tokens with the embedder${
    atZero.contentHit === null ? '' : ` (content Hit@${k} ${atZero.contentHit})`
  }; near λ = v₁ (${v1.toFixed(2)}), ${Math.round(atV1.overlap * k)} of ${k}${atV1.contentHit === null ? '' : ` (content Hit@${k} ${atV1.contentHit})`}.`;
  const ticks = [-curve.bound, 0, curve.bound];
  return (
    <figure className="lambda-curve" data-testid="lambda-curve" data-points={JSON.stringify(curve.points)}>
      <figcaption className="muted small">Along λ: the base's top {k} against the embedder's</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        <g className="axis" fontSize="9" fill="#555">
          {[0, 0.5, 1].map((t) => (
            <g key={t}>
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(t)} y2={y(t)} stroke="#eeeeee" />
              <text x={MARGIN.left - 4} y={y(t) + 3} textAnchor="end">
                {t}
              </text>
            </g>
          ))}
          {ticks.map((t) => (
            <text key={t} x={x(t)} y={HEIGHT - 6} textAnchor="middle">
              {Number(t.toFixed(2))}
            </text>
          ))}
        </g>
        <line className="curve-v1" x1={x(v1)} x2={x(v1)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} strokeDasharray="3 3" />
        <line className="curve-now" data-testid="lambda-curve-now" x1={x(lambda)} x2={x(lambda)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} />
        {overlapPath && <path className="curve-overlap" d={overlapPath} fill="none" strokeWidth={2} />}
        {hitPath && <path className="curve-hit" d={hitPath} fill="none" strokeWidth={1.5} />}
      </svg>
      <Legend
        testId="lambda-curve-legend"
        label="λ curve legend"
        items={[
          { swatch: 'shared', text: `share of the top ${k} the embedder's top ${k} also has` },
          ...(hasContent ? [{ swatch: 'in-text' as const, text: `content Hit@${k} (0 or 1)` }] : []),
          { swatch: 'v1', text: 'v₁' },
          { swatch: 'total', text: 'the slider’s λ' },
        ]}
      />
      <p className="sr-only">{summary}</p>
    </figure>
  );
}
