import type { ReactNode } from 'react';
import { useDisplay } from '../../state/displayStore';
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
  /** The embedder's listed ids (the base column marks the tokens it shares with them). */
  sharedWith?: readonly number[];
  /** Characters of the text past the model's context (marked after the input's tokens). */
  unreadChars?: number;
  children?: ReactNode;
}

/** The list a column shows: its top k, or its top k without byte and special tokens (the token filter). */
export function shownList(column: ColumnResult, hideNoise: boolean): { ids: number[]; scores: number[]; tokens: TokenInfo[]; hidden: number } {
  return hideNoise ? column.filtered : { ids: column.ids, scores: column.scores, tokens: column.tokens, hidden: 0 };
}

/** One model's view: its top-k aligned tokens, the input with key tokens lit, Hit@k and LAR (over content tokens or all). */
export function ModelColumn({ testId, title, subtitle, column, tokens, k, lambda, sharedWith, unreadChars, children }: Props) {
  const { metrics, hideNoise } = useDisplay();
  const keyIds = new Set(column?.keyIds ?? []);
  const list = column && shownList(column, hideNoise);
  const shared = sharedWith && list ? new Set(list.ids.filter((id) => sharedWith.includes(id))) : undefined;
  const content = metrics === 'content';
  const none = 'n/a';
  return (
    <section className="column" data-testid={testId} aria-label={title}>
      <header>
        <h2>{title}</h2>
        <p className="subtitle">{subtitle}</p>
      </header>
      {children}
      {column && tokens && list ? (
        <>
          <dl className="metrics" data-metrics={metrics}>
            <div>
              <dt
                title={
                  content
                    ? `1 if one of the text's content tokens (no punctuation, stop word or frequent token) is among the top ${k}`
                    : `1 if a token of the text is among the top ${k} aligned tokens (paper §3.2)`
                }
              >
                {content ? 'content ' : ''}Hit@{k}
              </dt>
              <dd data-testid="metric-hit">{content ? (column.content?.hit ?? none) : column.hit}</dd>
            </div>
            <div>
              <dt
                title={
                  content
                    ? "Share of the text's content tokens found among its top-|T| aligned tokens (|T|: how many content tokens)"
                    : "Share of the text's tokens found among its top-|T| aligned tokens (paper §3.2)"
                }
              >
                {content ? 'content ' : ''}LAR
              </dt>
              <dd data-testid="metric-lar">{content ? (column.content ? column.content.lar.toFixed(3) : none) : column.lar.toFixed(3)}</dd>
            </div>
            {shared && (
              <div>
                <dt title={`How many of this list's ${list.ids.length} tokens the embedder's list also has`}>shared with embedder</dt>
                <dd data-testid="metric-shared">
                  {shared.size} of {list.ids.length}
                </dd>
              </div>
            )}
          </dl>
          {content && !column.content && <p className="muted small">The text has no content token: the content metrics do not apply.</p>}
          <InputTokens tokens={tokens} keyIds={keyIds} unreadChars={unreadChars} />
          <TokenBars list={list} keyIds={keyIds} sharedIds={shared} title={title} lambda={lambda} />
          {list.hidden > 0 && (
            <p className="muted small" data-testid="hidden-tokens">
              {list.hidden} byte or special {list.hidden === 1 ? 'token' : 'tokens'} hidden above the last one listed.
            </p>
          )}
        </>
      ) : (
        <p className="placeholder">Aligned tokens appear here.</p>
      )}
    </section>
  );
}
