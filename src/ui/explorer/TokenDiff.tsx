import { useShallow } from 'zustand/react/shallow';
import { useDisplay } from '../../state/displayStore';
import { diffQuery } from '../../state/explorerQueries';
import { useLens } from '../../state/store';
import { useWorkerAnswer } from '../../state/workerQuery';
import type { DiffToken } from '../../worker/protocol';
import { Legend } from '../Legend';
import { displayToken } from '../tokenText';

/** Wait this long after the last slider move before asking for the diff (it costs ~12 ms at V = 151,936). */
const REST_MS = 120;

const sameTextAndFilter = (a: { loadId: string; requestId: number; filtered: boolean }, b: typeof a) =>
  a.loadId === b.loadId && a.requestId === b.requestId && a.filtered === b.filtered;

/**
 * What fine-tuning changed for this text: the tokens whose score rises or falls
 * most from the base model (at the slider's λ) to the embedding model, over the
 * whole vocabulary. The worker computes it from the z vectors it already holds.
 */
export function TokenDiff() {
  const tokens = useLens((s) => s.result?.tokens);
  const hideNoise = useDisplay((s) => s.hideNoise);
  const question = useLens(
    useShallow((s) =>
      s.result && s.pairInfo ? { loadId: s.pairInfo.loadId, requestId: s.result.requestId, k: s.k, lambda: s.lambda, filtered: hideNoise } : undefined,
    ),
  );
  // While the slider moves, the diff at the last λ it rested on stays (same text, load and filter).
  const { value: diff, error } = useWorkerAnswer(diffQuery, question, { delayMs: REST_MS, shows: sameTextAndFilter });
  if (error) return <p className="error">{error}</p>;
  const hidden = diff ? diff.hidden.risers + diff.hidden.fallers : 0;
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
    <section className="panel token-diff" data-testid="token-diff" data-lambda={diff.lambda} aria-label="What fine-tuning changed">
      <h3>What fine-tuning changed</h3>
      <p className="muted small">
        Tokens whose score rises or falls most from the base model (λ = {diff.lambda.toFixed(2)}) to the embedding model, over the whole vocabulary. Each
        model's scores are standardised over the vocabulary ((z − mean) / sd), so a change of +1 means the token moved up by one standard deviation of that
        model's scores.
      </p>
      <Legend items={[{ swatch: 'in-text', text: 'in the text' }]} label="Token diff legend" />
      {diff.filtered && (
        <p className="muted small" data-testid="diff-hidden">
          {hidden === 0
            ? 'No byte or special token was hidden.'
            : `${diff.hidden.risers} promoted and ${diff.hidden.fallers} suppressed byte or special tokens hidden (they moved further than the last ones listed).`}
        </p>
      )}
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
