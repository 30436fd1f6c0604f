import { scaleBand, scaleLinear } from 'd3';
import type { ContributionRow } from '../../worker/protocol';
import { displayToken } from '../tokenText';
import { type FigureMeta, type FigureSpec, MONO, xml } from './figure';

/** Print colours: the app's accent and bar colours. */
const ACCENT = '#b4441e';
const BAR = '#8fa3b8';
const AXIS = '#999999';
const INK = '#222222';

const n = (x: number) => Number(x.toFixed(2));

/** Top aligned tokens as horizontal bars of their logits; key tokens (in the text) in the accent colour. */
export function tokenBarsFigure(tokens: { id: number; text: string }[], scores: number[], keyIds: ReadonlySet<number>, meta: FigureMeta): FigureSpec {
  const row = 20;
  const label = 140;
  const plot = 300;
  const lo = Math.min(0, ...scores);
  const hi = Math.max(0, ...scores);
  const x = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([0, plot]);
  const body = tokens
    .map((t, i) => {
      const key = keyIds.has(t.id);
      const left = Math.min(x(0), x(scores[i]));
      const width = Math.max(1, Math.abs(x(scores[i]) - x(0)));
      return `<g transform="translate(0, ${i * row})"><text x="24" y="${row / 2 + 4}" font-size="10" text-anchor="end" fill="#666">${i + 1}</text><text x="32" y="${row / 2 + 4}" font-size="11" font-family="${MONO}" fill="${key ? ACCENT : INK}"${key ? ' font-weight="bold"' : ''}>${xml(displayToken(t.text))}</text><rect x="${n(label + left)}" y="3" width="${n(width)}" height="${row - 6}" fill="${key ? ACCENT : BAR}"/><text x="${n(label + Math.max(left + width, x(0)) + 4)}" y="${row / 2 + 4}" font-size="10" fill="#555">${scores[i].toFixed(2)}</text></g>`;
    })
    .join('');
  return { name: slug(meta.chart), width: label + plot + 60, height: tokens.length * row + 4, body, meta };
}

/** Each top token's logit split into the part carried by u₁ (accent) and the rest (grey), stacked from zero. */
export function contributionFigure(rows: ContributionRow[], meta: FigureMeta): FigureSpec {
  const row = 18;
  const label = 120;
  const plot = 320;
  const extent = Math.max(1e-9, ...rows.flatMap((r) => [Math.abs(r.principal), Math.abs(r.rest), Math.abs(r.total)]));
  const x = scaleLinear().domain([-extent, extent]).range([0, plot]);
  const body = rows
    .map((r, i) => {
      const [pcStart, pcEnd, restEnd] = [x(0), x(r.principal), x(r.principal + r.rest)];
      return `<g transform="translate(0, ${i * row})"><text x="${label - 6}" y="${row / 2 + 4}" font-size="11" text-anchor="end" font-family="${MONO}" fill="${INK}">${xml(displayToken(r.text))}</text><g transform="translate(${label}, 0)"><rect x="${n(Math.min(pcStart, pcEnd))}" y="3" width="${n(Math.abs(pcEnd - pcStart))}" height="${row - 6}" fill="${ACCENT}"/><rect x="${n(Math.min(pcEnd, restEnd))}" y="3" width="${n(Math.abs(restEnd - pcEnd))}" height="${row - 6}" fill="${BAR}"/><line x1="${n(x(0))}" x2="${n(x(0))}" y1="0" y2="${row}" stroke="${AXIS}"/></g><text x="${label + plot + 6}" y="${row / 2 + 4}" font-size="9" fill="#555">${r.principal.toFixed(2)} + ${r.rest.toFixed(2)}</text></g>`;
    })
    .join('');
  const legend = `<g transform="translate(${label}, ${rows.length * row + 6})" font-size="10" fill="#555"><rect width="10" height="10" fill="${ACCENT}"/><text x="14" y="9">PC1 part (h·u₁)(w·u₁)</text><rect x="150" width="10" height="10" fill="${BAR}"/><text x="164" y="9">rest</text></g>`;
  return { name: slug(meta.chart), width: label + plot + 90, height: rows.length * row + 22, body: body + legend, meta };
}

/** v_j for j = 1..20 as bars (the paper's Fig. 3), v₁ in the accent colour. */
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
        `<rect x="${n(x(j + 1) ?? 0)}" width="${n(x.bandwidth())}" y="${n(Math.min(y(0), y(v)))}" height="${n(Math.max(1, Math.abs(y(v) - y(0))))}" fill="${j === 0 ? ACCENT : BAR}"><title>v${j + 1} = ${v.toFixed(4)}</title></rect><text x="${n((x(j + 1) ?? 0) + x.bandwidth() / 2)}" y="${height - margin.bottom + 14}" font-size="10" text-anchor="middle" fill="#555">${j + 1}</text>`,
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
