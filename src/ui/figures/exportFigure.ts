import { download } from '../download';
import { type FigureSpec, figureDescription, figureSize, figureSvg } from './figure';
import { withPngMetadata } from './pngText';

/** Print resolution of the PNG: 300 dpi, i.e. 300/96 device pixels per CSS pixel. */
export const PNG_DPI = 300;

export function downloadSvg(spec: FigureSpec): void {
  download(`${spec.name}.svg`, figureSvg(spec), 'image/svg+xml');
}

/** Draws the SVG on a canvas at 300 dpi and downloads it as a PNG with the figure's metadata in text chunks. */
export async function downloadPng(spec: FigureSpec): Promise<void> {
  const { width, height } = figureSize(spec);
  const scale = PNG_DPI / 96;
  const url = URL.createObjectURL(new Blob([figureSvg(spec)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw on a canvas, so the PNG cannot be made; the SVG can.');
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The browser could not encode the PNG; the SVG can be downloaded instead.');
    const { meta } = spec;
    const png = withPngMetadata(
      new Uint8Array(await blob.arrayBuffer()),
      {
        Title: meta.chart,
        Description: figureDescription(meta),
        Software: 'Embedding Lens',
        Pair: meta.pair,
        Text: meta.text,
        ...(meta.lambda === undefined ? {} : { Lambda: String(meta.lambda) }),
      },
      PNG_DPI,
    );
    download(`${spec.name}.png`, new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }), 'image/png');
  } finally {
    URL.revokeObjectURL(url);
  }
}
