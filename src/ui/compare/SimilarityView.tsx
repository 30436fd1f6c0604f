import { useShallow } from 'zustand/react/shallow';
import { useCompare } from '../../state/compareStore';
import { useLens } from '../../state/store';
import { Legend } from '../Legend';
import { StaleNote } from '../StaleNote';
import { TokenList } from './TokenList';

/** The two models whose aligned tokens the view lists, in the order shown. */
const MODELS = [
  { key: 'embed', name: 'Embedding model' },
  { key: 'base', name: 'Base model' },
] as const;

/**
 * Two texts (paper §6, similarity vs relatedness): their cosine under each model, and each model's aligned
 * tokens for both texts (the worker's top-k), the tokens the two texts share under that model marked.
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
  const shared = {
    embed: new Set(r ? r.a.embed.ids.filter((id) => r.b.embed.ids.includes(id)) : []),
    base: new Set(r ? r.a.base.ids.filter((id) => r.b.base.ids.includes(id)) : []),
  };
  const k = r?.a.embed.ids.length ?? 0;

  return (
    <>
      <section className="panel">
        <div className="instruction-editors two">
          {([0, 1] as const).map((i) => (
            <label key={i}>
              Text {i === 0 ? 'A' : 'B'}
              <textarea
                dir="auto"
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
                    <th>shared top-{k} tokens</th>
                  </tr>
                </thead>
                <tbody>
                  {MODELS.map(({ key, name }) => (
                    <tr key={key}>
                      <td>{name}</td>
                      <td data-testid={`cosine-${key}`}>{r.cosine[key].toFixed(4)}</td>
                      <td data-testid={`shared-${key}`}>
                        {shared[key].size} of {r.a[key].ids.length}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <Legend testId="similarity-legend" label="Token colours" items={[{ swatch: 'shared', text: "in both texts' top-k under the same model" }]} />
          {MODELS.map(({ key, name }) => (
            <section className="panel" key={key} data-testid={`similarity-${key}`}>
              <h3>
                {name}: aligned tokens, <span data-testid={`similarity-${key}-shared`}>{shared[key].size}</span> of {r.a[key].ids.length} shared
              </h3>
              <div className="columns">
                {(['a', 'b'] as const).map((side) => (
                  <div className="column" key={side}>
                    <h4>Text {side.toUpperCase()}</h4>
                    <TokenList
                      testId={`similarity-${key}-${side}`}
                      ids={r[side][key].ids}
                      texts={r.tokenTexts}
                      marked={shared[key]}
                      mark="shared"
                      markLabel={`shared with the other text under the ${key === 'embed' ? 'embedding' : 'base'} model`}
                    />
                  </div>
                ))}
              </div>
            </section>
          ))}
        </>
      )}
    </>
  );
}
