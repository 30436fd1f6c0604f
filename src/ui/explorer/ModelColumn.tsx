import type { ReactNode } from 'react';
import type { ColumnResult, TokenInfo } from '../../worker/protocol';
import { InputTokens } from './InputTokens';
import { TokenBars } from './TokenBars';

interface Props {
  /** λ along PC1 the column is shown at (the base column), for its figure's metadata. */
  lambda?: number;
  testId: 'aligned-embed' | 'aligned-base';
  title: string;
  subtitle: string;
  column?: ColumnResult;
  tokens?: TokenInfo[];
  k: number;
  children?: ReactNode;
}

/** One model's view: its top-k aligned tokens, the input with key tokens lit, Hit@k and LAR. */
export function ModelColumn({ testId, title, subtitle, column, tokens, k, lambda, children }: Props) {
  const keyIds = new Set(column?.keyIds ?? []);
  return (
    <section className="column" data-testid={testId} aria-label={title}>
      <header>
        <h2>{title}</h2>
        <p className="subtitle">{subtitle}</p>
      </header>
      {children}
      {column && tokens ? (
        <>
          <dl className="metrics">
            <div>
              <dt title="1 if a token of the text is among the top-k aligned tokens">Hit@{k}</dt>
              <dd data-testid="metric-hit">{column.hit}</dd>
            </div>
            <div>
              <dt title="Share of the text's tokens found among its top-|T| aligned tokens">LAR</dt>
              <dd data-testid="metric-lar">{column.lar.toFixed(3)}</dd>
            </div>
          </dl>
          <InputTokens tokens={tokens} keyIds={keyIds} />
          <TokenBars column={column} keyIds={keyIds} title={title} lambda={lambda} />
        </>
      ) : (
        <p className="placeholder">Aligned tokens appear here.</p>
      )}
    </section>
  );
}
