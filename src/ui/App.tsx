import { useEffect } from 'react';
import { useLens } from '../state/store';
import { K_CHOICES } from '../state/urlState';
import { LambdaSlider } from './LambdaSlider';
import { ModelColumn } from './ModelColumn';
import { ModelStatus } from './ModelStatus';

export function App() {
  const state = useLens();
  const { text, k, lambda, result, baseView, pairInfo, error, status, computing } = state;

  useEffect(() => {
    void useLens.getState().loadPair();
  }, []);

  const v1 = pairInfo?.variation[0] ?? 0;
  const empty = text.trim().length === 0;

  return (
    <div className="app">
      <header className="top">
        <div>
          <h1>Embedding Lens</h1>
          <p className="tagline">
            What an LLM text embedding says in tokens: <code>z = W·h</code>, the base model's LM head times the pooled
            embedding (Nie, Zhang &amp; Wu, ACL 2025).
          </p>
        </div>
        <ModelStatus />
      </header>

      {error && (
        <div className="error" data-testid="error" role="alert">
          <span>{error}</span>
          <button type="button" onClick={state.dismissError} aria-label="Dismiss the error">
            ×
          </button>
        </div>
      )}

      <section className="input">
        <label htmlFor="text-input">Text</label>
        <textarea
          id="text-input"
          data-testid="text-input"
          value={text}
          rows={3}
          spellCheck={false}
          placeholder="Type or paste a text…"
          onChange={(e) => state.setText(e.currentTarget.value)}
        />
        <div className="input-bar">
          <label>
            top-k{' '}
            <select value={k} onChange={(e) => state.setK(Number(e.currentTarget.value))}>
              {K_CHOICES.map((choice) => (
                <option key={choice} value={choice}>
                  {choice}
                </option>
              ))}
            </select>
          </label>
          <span className="notices" data-testid="notice" aria-live="polite">
            {empty
              ? 'The text is empty: type or paste a text to see its aligned tokens.'
              : result?.truncated
                ? `Long text: only the first ${pairInfo?.maxLength} tokens (the model's context) were read.${result.droppedChars ? ` ${result.droppedChars.toLocaleString()} characters beyond ${(text.length - result.droppedChars).toLocaleString()} were not tokenized.` : ''}`
                : computing
                  ? 'Updating…'
                  : result
                    ? `${result.tokens.length} tokens · ${result.ms.toFixed(0)} ms`
                    : ''}
          </span>
        </div>
      </section>

      <main className="columns" aria-busy={status !== 'ready' || computing}>
        <ModelColumn
          testId="aligned-embed"
          title="Embedding model"
          subtitle="Top tokens of W·ĥ, the embedder's pooled embedding"
          column={empty ? undefined : result?.embed}
          tokens={result?.tokens}
          k={k}
        />
        <ModelColumn
          testId="aligned-base"
          title="Base model"
          subtitle="Top tokens of W·(h + λu₁), the generative model's own pooled state"
          column={empty ? undefined : baseView}
          tokens={result?.tokens}
          k={k}
        >
          <LambdaSlider lambda={lambda} v1={v1} onChange={state.setLambda} />
        </ModelColumn>
      </main>

      <footer>
        {pairInfo && (
          <p>
            u₁ and v₁ from {pairInfo.sampleSize} sample sentences: PC1 carries {(pairInfo.shares[0] * 100).toFixed(1)}% of
            the base embeddings' energy; v₁ = {v1.toFixed(3)}, |v₂| = {Math.abs(pairInfo.variation[1] ?? 0).toFixed(3)}.
          </p>
        )}
      </footer>
    </div>
  );
}
