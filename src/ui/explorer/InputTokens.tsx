import type { TokenInfo } from '../../worker/protocol';
import { displayToken } from '../tokenText';

/** The input as the model reads it: one chip per token, key tokens highlighted. */
export function InputTokens({ tokens, keyIds }: { tokens: TokenInfo[]; keyIds: ReadonlySet<number> }) {
  return (
    <div className="input-tokens" title="Input tokens (highlighted: among the top aligned tokens)">
      {tokens.map((token, i) => {
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
      })}
    </div>
  );
}
