import { useShallow } from 'zustand/react/shallow';
import { useCompare } from '../../state/compareStore';
import { useLens } from '../../state/store';
import { StaleNote } from '../StaleNote';
import { TokenList } from './TokenList';

/**
 * Two texts (paper §6, similarity vs relatedness): their cosine under each model,
 * and the aligned tokens they share and do not share.
 */
export function SimilarityView() {
  const c = useCompare(
    useShallow((s) => ({
      similarityTexts: s.similarityTexts,
      similarity: s.similarity,
      busy: s.busy.similarity,
      message: s.message.similarity,
      setSimilarityText: s.setSimilarityText,
      compareSimilarity: s.compareSimilarity,
    })),
  );
  const ready = useLens((s) => s.load.phase === 'ready');
  const r = c.similarity;
  const shared = r ? new Set(r.a.embed.ids.filter((id) => r.b.embed.ids.includes(id))) : new Set<number>();

  return (
    <>
      <section className="panel">
        <div className="instruction-editors two">
          {([0, 1] as const).map((i) => (
            <label key={i}>
              Text {i === 0 ? 'A' : 'B'}
              <textarea
                data-testid={`similarity-text-${i}`}
                rows={2}
                value={c.similarityTexts[i]}
                onChange={(e) => c.setSimilarityText(i, e.currentTarget.value)}
              />
            </label>
          ))}
        </div>
        <div className="run-row">
          <button type="button" className="primary" data-testid="similarity-run" disabled={!ready || c.busy} onClick={() => void c.compareSimilarity()}>
            Compare
          </button>
          {c.message && <span className="muted">{c.message}</span>}
        </div>
      </section>
      <StaleNote computedOn={r?.computedOn} />
      {r && (
        <>
          <section className="panel" data-testid="similarity-scores">
            <div className="table-scroll">
              <table className="data">
                <thead>
                  <tr>
                    <th />
                    <th>cosine(A, B)</th>
                    <th>shared top-{r.a.embed.ids.length} tokens</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <td>Embedding model</td>
                    <td data-testid="cosine-embed">{r.cosine.embed.toFixed(4)}</td>
                    <td>{shared.size}</td>
                  </tr>
                  <tr>
                    <td>Base model</td>
                    <td data-testid="cosine-base">{r.cosine.base.toFixed(4)}</td>
                    <td>{r.a.base.ids.filter((id) => r.b.base.ids.includes(id)).length}</td>
                  </tr>
                </tbody>
              </table>
            </div>
          </section>
          <section className="columns">
            {(['a', 'b'] as const).map((side) => (
              <div className="column" key={side} data-testid={`similarity-${side}`}>
                <h3>Text {side.toUpperCase()}: embedder's aligned tokens</h3>
                <TokenList ids={r[side].embed.ids} texts={r.tokenTexts} marked={shared} markLabel="shared with the other text" />
              </div>
            ))}
          </section>
        </>
      )}
    </>
  );
}
