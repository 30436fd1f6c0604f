import type { ReactNode } from 'react';
import type { TokenInfo } from '../../worker/protocol';
import { displayToken } from '../tokenText';

/**
 * The input as the model reads it: one chip per token, key tokens highlighted. Tokens that each hold
 * part of a character show their bytes and are grouped under the character they form together.
 */
export function InputTokens({ tokens, keyIds }: { tokens: TokenInfo[]; keyIds: ReadonlySet<number> }) {
  const chip = (token: TokenInfo, i: number) => {
    const isKey = keyIds.has(token.id);
    return (
      <span
        key={`${i}-${token.id}`}
        data-testid="input-token"
        data-token-id={token.id}
        data-key={isKey ? 'true' : 'false'}
        className={isKey ? 'chip key' : 'chip'}
        title={`id ${token.id}`}
      >
        {displayToken(token.text)}
      </span>
    );
  };
  const out: ReactNode[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const run = tokens[i].run;
    if (!run) {
      out.push(chip(tokens[i], i));
      continue;
    }
    out.push(
      <span key={`run-${i}`} className="token-run" data-testid="token-run" title={`these ${run.length} tokens form “${run.text}”`}>
        <span className="run-chips">{tokens.slice(i, i + run.length).map((t, j) => chip(t, i + j))}</span>
        <span className="run-text" data-testid="token-run-text">
          {displayToken(run.text)}
        </span>
      </span>,
    );
    i += run.length - 1;
  }
  return (
    <div className="input-tokens" title="Input tokens (highlighted: among the top aligned tokens)">
      {out}
    </div>
  );
}
