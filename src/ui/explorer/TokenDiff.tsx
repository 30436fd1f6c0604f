import type { ColumnResult, DiffToken, TokenInfo } from '../../worker/protocol';
import { displayToken } from '../tokenText';

/**
 * What fine-tuning changed for this text: the tokens whose score rises or falls
 * most from the base model (at the slider's λ) to the embedding model, over the
 * whole vocabulary. The worker computes it from the z vectors it already holds.
 */
export function TokenDiff({ baseView, tokens, lambda }: { baseView?: ColumnResult; tokens?: TokenInfo[]; lambda: number }) {
  const diff = baseView?.diff;
  if (!diff || !tokens) return null;
  const textIds = new Set(tokens.map((t) => t.id));
  const row = (r: DiffToken, kind: 'rise' | 'fall') => {
    const inText = textIds.has(r.id);
    return (
      <tr
        key={`${kind}-${r.id}`}
        data-testid="diff-token"
        data-token-id={r.id}
        data-delta={r.delta}
        className={`${kind}${inText ? ' key' : ''}`}
        title={`id ${r.id}${inText ? ' (in the text)' : ''}`}
      >
        <td className="label">
          <span className={inText ? 'chip key' : 'chip'}>{displayToken(r.text)}</span>
        </td>
        <td className="num">{r.rankBase.toLocaleString('en')}</td>
        <td className="num">{r.rankEmbed.toLocaleString('en')}</td>
        <td className="num delta">
          {r.delta > 0 ? '+' : ''}
          {r.delta.toFixed(2)}
        </td>
      </tr>
    );
  };
  return (
    <section className="panel token-diff" data-testid="token-diff" aria-label="What fine-tuning changed">
      <h3>What fine-tuning changed</h3>
      <p className="muted small">
        Tokens whose score rises or falls most from the base model (λ = {lambda.toFixed(2)}) to the embedding model, over the whole
        vocabulary. Each model's scores are standardised over the vocabulary ((z − mean) / sd), so a change of +1 means the token moved up by
        one standard deviation of that model's scores. Lit: tokens of the text.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">token</th>
            <th scope="col">rank in base</th>
            <th scope="col">rank in embedder</th>
            <th scope="col">change (sd)</th>
          </tr>
        </thead>
        <tbody>
          <tr className="group">
            <th colSpan={4} scope="rowgroup">
              Promoted
            </th>
          </tr>
          {diff.risers.map((r) => row(r, 'rise'))}
          <tr className="group">
            <th colSpan={4} scope="rowgroup">
              Suppressed
            </th>
          </tr>
          {diff.fallers.map((r) => row(r, 'fall'))}
        </tbody>
      </table>
    </section>
  );
}
