import { scaleBand, scaleLinear } from 'd3';
import type { ContributionRow } from '../../worker/protocol';
import { PALETTE } from '../palette';
import { displayToken } from '../tokenText';
import { contributionLayout, contributionValues } from './contributionLayout';
import { type FigureMeta, type FigureSpec, MONO, xml } from './figure';

/** Print colours: the page's meanings (palette.ts), and greys that mean nothing. */
const IN_TEXT = PALETTE.inText;
const NOT_IN_TEXT = PALETTE.notInText;
/** A bar that is neither v₁ nor a token (the spectrum's other v_j). */
const NEUTRAL = '#b0b0b0';
const AXIS = '#999999';
const INK = '#222222';

const n = (x: number) => Number(x.toFixed(2));

interface BarsPanel {
  tokens: { id: number; text: string }[];
  scores: number[];
  keyIds: ReadonlySet<number>;
}

const BAR_ROW = 20;
const BAR_LABEL = 140;
const BAR_PLOT = 300;
const BARS_WIDTH = BAR_LABEL + BAR_PLOT + 60;

/** The rows of a token bar chart (rank, token, bar from zero, value), BARS_WIDTH wide. */
function barsBody({ tokens, scores, keyIds }: BarsPanel): string {
  const lo = Math.min(0, ...scores);
  const hi = Math.max(0, ...scores);
  const x = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([0, BAR_PLOT]);
  return tokens
    .map((t, i) => {
      const key = keyIds.has(t.id);
      const left = Math.min(x(0), x(scores[i]));
      const width = Math.max(1, Math.abs(x(scores[i]) - x(0)));
      return `<g transform="translate(0, ${i * BAR_ROW})"><text x="24" y="${BAR_ROW / 2 + 4}" font-size="10" text-anchor="end" fill="#666">${i + 1}</text><text x="32" y="${BAR_ROW / 2 + 4}" font-size="11" font-family="${MONO}" fill="${key ? IN_TEXT : INK}"${key ? ' font-weight="bold"' : ''}>${xml(displayToken(t.text))}</text><rect x="${n(BAR_LABEL + left)}" y="3" width="${n(width)}" height="${BAR_ROW - 6}" fill="${key ? IN_TEXT : NOT_IN_TEXT}"/><text x="${n(BAR_LABEL + Math.max(left + width, x(0)) + 4)}" y="${BAR_ROW / 2 + 4}" font-size="10" fill="#555">${scores[i].toFixed(2)}</text></g>`;
    })
    .join('');
}

const barsLegend = (x: number, y: number) =>
  `<g transform="translate(${x}, ${y})" font-size="10" fill="#555"><rect width="10" height="10" fill="${IN_TEXT}"/><text x="14" y="9">in the text</text><rect x="100" width="10" height="10" fill="${NOT_IN_TEXT}"/><text x="114" y="9">not in the text</text></g>`;

/** Top aligned tokens as horizontal bars of their logits; key tokens (in the text) in their colour. */
export function tokenBarsFigure(tokens: { id: number; text: string }[], scores: number[], keyIds: ReadonlySet<number>, meta: FigureMeta): FigureSpec {
  const body = barsBody({ tokens, scores, keyIds }) + barsLegend(32, tokens.length * BAR_ROW + 6);
  return { name: slug(meta.chart), width: BARS_WIDTH, height: tokens.length * BAR_ROW + 22, body, meta };
}

/**
 * The paper's side-by-side reading of one text (its Table 1 / Fig. 1): the embedder's top tokens, the base
 * model's, and the base model's moved by v₁ along u₁ (h + v₁u₁), each as a bar chart under its title.
 */
export function sideBySideFigure(panels: (BarsPanel & { title: string })[], meta: FigureMeta): FigureSpec {
  const head = 22;
  const rows = Math.max(...panels.map((p) => p.tokens.length));
  const body = panels
    .map(
      (p, i) =>
        `<g transform="translate(${i * BARS_WIDTH}, 0)"><text x="32" y="14" font-size="12" font-weight="bold" fill="${INK}">${xml(p.title)}</text><g transform="translate(0, ${head})">${barsBody(p)}</g></g>`,
    )
    .join('');
  return {
    name: slug(meta.chart),
    width: panels.length * BARS_WIDTH,
    height: head + rows * BAR_ROW + 22,
    body: body + barsLegend(32, head + rows * BAR_ROW + 6),
    meta,
  };
}

/**
 * Each top token's logit split into the part carried by u₁ and the rest, each drawn from zero on its own side
 * (contributionLayout, as on the page), the logit marked, an axis and the values beside each row.
 */
export function contributionFigure(rows: ContributionRow[], meta: FigureMeta): FigureSpec {
  const row = 20;
  const label = 120;
  const plot = 320;
  const axisHeight = 20;
  const layout = contributionLayout(rows, plot);
  const plotHeight = rows.length * row;
  const ticks = layout.ticks
    .map(
      (t) =>
        `<line x1="${n(t.x)}" x2="${n(t.x)}" y1="0" y2="${plotHeight + 4}" stroke="#eeeeee"/><text x="${n(t.x)}" y="${plotHeight + 15}" font-size="10" text-anchor="middle" fill="#555">${t.value}</text>`,
    )
    .join('');
  const axis = `<g transform="translate(${label}, 0)">${ticks}<line x1="${n(layout.zero)}" x2="${n(layout.zero)}" y1="0" y2="${plotHeight}" stroke="${AXIS}"/></g>`;
  const body = rows
    .map((r, i) => {
      const { pc1, rest, total } = layout.rows[i];
      const half = (row - 6) / 2;
      return `<g transform="translate(0, ${i * row})"><text x="${label - 6}" y="${row / 2 + 4}" font-size="11" text-anchor="end" font-family="${MONO}" fill="${INK}">${xml(displayToken(r.text))}</text><g transform="translate(${label}, 0)"><rect x="${n(pc1.x)}" y="3" width="${n(pc1.width)}" height="${n(half)}" fill="${PALETTE.pc1Part}"/><rect x="${n(rest.x)}" y="${row / 2}" width="${n(rest.width)}" height="${n(half)}" fill="${PALETTE.restPart}"/><line x1="${n(total)}" x2="${n(total)}" y1="1" y2="${row - 1}" stroke="${PALETTE.total}" stroke-width="2"/></g><text x="${label + plot + 6}" y="${row / 2 + 4}" font-size="9" fill="#555">${contributionValues(r)}</text></g>`;
    })
    .join('');
  const legend = `<g transform="translate(${label}, ${plotHeight + axisHeight + 4})" font-size="10" fill="#555"><rect width="10" height="10" fill="${PALETTE.pc1Part}"/><text x="14" y="9">PC1 part (h·u₁)(w·u₁)</text><rect x="150" width="10" height="10" fill="${PALETTE.restPart}"/><text x="164" y="9">rest</text><rect x="210" width="2" height="10" fill="${PALETTE.total}"/><text x="218" y="9">logit w·h</text></g>`;
  return { name: slug(meta.chart), width: label + plot + 120, height: plotHeight + axisHeight + 20, body: axis + body + legend, meta };
}

/** v_j for j = 1..20 as bars (the paper's Fig. 3), v₁ in its colour (palette.ts). */
export function variationFigure(variation: number[], meta: FigureMeta): FigureSpec {
  const values = variation.slice(0, 20);
  const [width, height] = [520, 200];
  const margin = { top: 10, right: 10, bottom: 34, left: 48 };
  const x = scaleBand<number>()
    .domain(values.map((_, j) => j + 1))
    .range([margin.left, width - margin.right])
    .padding(0.2);
  const extent = Math.max(1e-9, ...values.map(Math.abs));
  const y = scaleLinear()
    .domain([-extent, extent])
    .range([height - margin.bottom, margin.top])
    .nice();
  const ticks = y
    .ticks(4)
    .map(
      (t) =>
        `<line x1="${margin.left}" x2="${width - margin.right}" y1="${n(y(t))}" y2="${n(y(t))}" stroke="#eeeeee"/><text x="${margin.left - 6}" y="${n(y(t)) + 3}" font-size="10" text-anchor="end" fill="#555">${t}</text>`,
    )
    .join('');
  const bars = values
    .map(
      (v, j) =>
        `<rect x="${n(x(j + 1) ?? 0)}" width="${n(x.bandwidth())}" y="${n(Math.min(y(0), y(v)))}" height="${n(Math.max(1, Math.abs(y(v) - y(0))))}" fill="${j === 0 ? PALETTE.v1 : NEUTRAL}"><title>v${j + 1} = ${v.toFixed(4)}</title></rect><text x="${n((x(j + 1) ?? 0) + x.bandwidth() / 2)}" y="${height - margin.bottom + 14}" font-size="10" text-anchor="middle" fill="#555">${j + 1}</text>`,
    )
    .join('');
  const axis = `<line x1="${margin.left}" x2="${width - margin.right}" y1="${n(y(0))}" y2="${n(y(0))}" stroke="${AXIS}"/><text x="${(margin.left + width) / 2}" y="${height - 4}" font-size="10" text-anchor="middle" fill="#555">principal component j (v_j = mean shift of the embedder along u_j)</text>`;
  return { name: slug(meta.chart), width, height, body: ticks + bars + axis, meta };
}

/** The vocabulary's most positive and most negative tokens along u₁ (W·u₁), as two ranked columns. */
export function pc1TokensFigure(positive: string[], negative: string[], meta: FigureMeta): FigureSpec {
  const row = 16;
  const column = (title: string, tokens: string[], x0: number) =>
    `<text x="${x0}" y="12" font-size="11" font-weight="bold" fill="${INK}">${title}</text>${tokens
      .map(
        (t, i) =>
          `<text x="${x0 + 22}" y="${30 + i * row}" font-size="10" text-anchor="end" fill="#666">${i + 1}</text><text x="${x0 + 28}" y="${30 + i * row}" font-size="11" font-family="${MONO}" fill="${INK}">${xml(displayToken(t))}</text>`,
      )
      .join('')}`;
  const rows = Math.max(positive.length, negative.length);
  return {
    name: slug(meta.chart),
    width: 420,
    height: 30 + rows * row,
    body: column('most positive', positive, 8) + column('most negative', negative, 218),
    meta,
  };
}

const slug = (s: string) =>
  `embedding-lens-${s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
