import type { ReactNode } from 'react';
import type { TokenInfo } from '../../worker/protocol';
import { displayToken, textDirection } from '../tokenText';

/**
 * The input as the model reads it: one chip per token, key tokens highlighted. Tokens that each hold
 * part of a character show their bytes and are grouped under the character they form together. Where the
 * model's context cut the text, a last chip says how much it did not read. A right-to-left text reads right
 * to left (its direction from the characters the tokens form, tokenText.ts textDirection).
 */
export function InputTokens({ tokens, keyIds, unreadChars = 0 }: { tokens: TokenInfo[]; keyIds: ReadonlySet<number>; unreadChars?: number }) {
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
  let read = '';
  for (let i = 0; i < tokens.length; i++) {
    const run = tokens[i].run;
    if (!run) {
      read += tokens[i].text;
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
    read += run.text;
    i += run.length - 1;
  }
  return (
    <div className="input-tokens" dir={textDirection(read)} title="Input tokens (highlighted: among the top aligned tokens)">
      {out}
      {unreadChars > 0 && (
        <span className="chip cut" data-testid="token-limit-cut" title="The model's context ends here: the rest of the text is not read">
          ✂ {unreadChars.toLocaleString()} more {unreadChars === 1 ? 'character' : 'characters'} not read
        </span>
      )}
    </div>
  );
}
