import { scaleLinear } from 'd3';
import { useLens } from '../../state/store';
import type { TokenInfo } from '../../worker/protocol';
import { tokenBarsFigure } from '../figures/charts';
import { FigureExport } from '../figures/FigureExport';
import { displayToken } from '../tokenText';

const ROW = 22;
const LABEL = 120;
const WIDTH = 360;

interface Props {
  list: { scores: number[]; tokens: TokenInfo[] };
  keyIds: ReadonlySet<number>;
  /** Tokens the embedder's list also has (marked in the base column). */
  sharedIds?: ReadonlySet<number>;
  title: string;
  lambda?: number;
}

/**
 * The top-k aligned tokens as a horizontal bar chart of their logits (d3 scales,
 * React DOM). Key tokens (tokens of the text itself) are drawn in their colour (palette.ts).
 */
export function TokenBars({ list, keyIds, sharedIds, title, lambda }: Props) {
  const { pair, text } = useLens();
  const scores = list.scores;
  const lo = Math.min(0, ...scores);
  const hi = Math.max(0, ...scores);
  const x = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([0, WIDTH - LABEL - 56]);
  const chart = `Top aligned tokens: ${title.toLowerCase()}`;
  return (
    <>
      <div className="chart-head">
        <span className="muted small">{lambda === undefined ? 'logit of each token, W·h' : 'logit of each token, W·(h + λu₁)'}</span>
        <FigureExport testId="export-token-bars" figure={() => tokenBarsFigure(list.tokens, scores, keyIds, { chart, pair, text, lambda })} />
      </div>
      <ol className="token-bars" aria-label={chart}>
        {list.tokens.map((token, i) => {
          const score = scores[i];
          const left = Math.min(x(0), x(score));
          const width = Math.max(1, Math.abs(x(score) - x(0)));
          const isKey = keyIds.has(token.id);
          const isShared = sharedIds?.has(token.id) ?? false;
          return (
            <li
              key={`${token.id}-${i}`}
              data-testid="aligned-token"
              data-token-id={token.id}
              data-rank={i + 1}
              data-shared={isShared || undefined}
              className={isKey ? 'aligned key' : 'aligned'}
              title={`#${i + 1} id ${token.id} ${JSON.stringify(token.text)} logit ${score.toFixed(3)}${isKey ? ' (in the text)' : ''}${isShared ? " (also in the embedder's list)" : ''}`}
              style={{ height: ROW }}
            >
              <span className="rank">{i + 1}</span>
              <span className="label">
                {isShared && <span className="shared-mark" aria-hidden="true" />}
                {displayToken(token.text)}
              </span>
              <span className="sr-only">
                , logit {score.toFixed(2)}
                {isKey ? ', in the text' : ''}
                {isShared ? ", also in the embedder's list" : ''}
              </span>
              <svg width={WIDTH - LABEL} height={ROW - 4} aria-hidden="true">
                <rect x={left} y={2} width={width} height={ROW - 8} rx={2} />
                <text x={Math.max(left + width, x(0)) + 4} y={ROW / 2 + 1}>
                  {score.toFixed(2)}
                </text>
              </svg>
            </li>
          );
        })}
      </ol>
    </>
  );
}
