import { useState } from 'react';
import { downloadPng, downloadSvg } from './exportFigure';
import type { FigureSpec } from './figure';

/** "SVG" and "PNG" buttons that download a chart as a figure (with pair, text and λ in its metadata). */
export function FigureExport({ figure, testId }: { figure: () => FigureSpec | undefined; testId: string }) {
  const [error, setError] = useState<string>();
  const run = (format: 'svg' | 'png') => async () => {
    const spec = figure();
    if (!spec) return;
    setError(undefined);
    try {
      if (format === 'svg') downloadSvg(spec);
      else await downloadPng(spec);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const title = figure()?.meta.chart ?? 'the chart';
  return (
    <span className="figure-export" data-testid={testId}>
      <button type="button" data-testid={`${testId}-svg`} onClick={run('svg')} aria-label={`Download ${title} as SVG`}>
        SVG
      </button>
      <button type="button" data-testid={`${testId}-png`} onClick={run('png')} aria-label={`Download ${title} as PNG (300 dpi)`}>
        PNG
      </button>
      {error && (
        <span role="alert" className="figure-error">
          {error}
        </span>
      )}
    </span>
  );
}
