import { showControls } from '../tokenText';

/**
 * A chart as a standalone, citable figure: an SVG document with the chart, a visible caption and the
 * pair, text and λ in its <title>, <desc> and <metadata>. Built as a string from the chart's data (the
 * same d3 scales as on screen), so the file does not depend on the page's CSS.
 */

export interface FigureMeta {
  /** Which chart, e.g. "Top aligned tokens: embedding model". */
  chart: string;
  pair: string;
  /** The text (Explorer) or the dataset (Analysis) the chart is about. */
  text: string;
  /** λ along PC1, where the chart depends on it. */
  lambda?: number;
}

export interface FigureSpec {
  /** File name without extension. */
  name: string;
  width: number;
  height: number;
  /** SVG markup of the chart, drawn in (0, 0)–(width, height). */
  body: string;
  meta: FigureMeta;
}

export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
export const MONO = 'DejaVu Sans Mono, Menlo, Consolas, monospace';
const TITLE_HEIGHT = 26;
const CAPTION_LINE = 14;

/** Escapes text for XML content and attribute values; control characters, which XML 1.0 forbids, are written as `<0xNN>`. */
export const xml = (s: string) =>
  showControls(s.replace(/\r\n?/g, '\n')).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const shorten = (s: string, n: number) => {
  const chars = Array.from(s.replace(/\s+/g, ' ').trim());
  return chars.length > n ? `${chars.slice(0, n - 1).join('')}…` : chars.join('');
};

/** The caption's lines: pair, λ and the text. */
export function captionLines(meta: FigureMeta): string[] {
  return [`Embedding Lens · pair ${meta.pair}${meta.lambda === undefined ? '' : ` · λ = ${meta.lambda.toFixed(3)}`}`, `Text: “${shorten(meta.text, 90)}”`];
}

/** One line describing the figure, for <desc> and the PNG's Description. */
export function figureDescription(meta: FigureMeta): string {
  return `${meta.chart}. Pair ${meta.pair}${meta.lambda === undefined ? '' : `, λ = ${meta.lambda}`}. Text: ${meta.text}`;
}

/** Size of the whole figure (title, chart, caption). */
export function figureSize(spec: FigureSpec): { width: number; height: number } {
  return { width: Math.max(spec.width, 420), height: TITLE_HEIGHT + spec.height + 10 + captionLines(spec.meta).length * CAPTION_LINE };
}

/** The figure as a standalone SVG document. */
export function figureSvg(spec: FigureSpec): string {
  const { width, height } = figureSize(spec);
  const caption = captionLines(spec.meta)
    .map((line, i) => `<text x="8" y="${TITLE_HEIGHT + spec.height + 10 + (i + 0.8) * CAPTION_LINE}" font-size="10" fill="#444">${xml(line)}</text>`)
    .join('');
  const metadata = JSON.stringify({ software: 'Embedding Lens', ...spec.meta });
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" role="img" aria-labelledby="title desc">
<title id="title">${xml(spec.meta.chart)}</title>
<desc id="desc">${xml(figureDescription(spec.meta))}</desc>
<metadata id="embedding-lens">${xml(metadata)}</metadata>
<rect width="${width}" height="${height}" fill="#ffffff"/>
<text x="8" y="18" font-size="13" font-weight="bold" fill="#111">${xml(spec.meta.chart)}</text>
<g transform="translate(0, ${TITLE_HEIGHT})">${spec.body}</g>
${caption}
</svg>
`;
}
