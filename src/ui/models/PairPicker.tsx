import { useState } from 'react';
import { CATALOG } from '../../shared/catalog';
import { formatPairId, type PairSource, parsePairId } from '../../shared/pairId';
import { useLens } from '../../state/store';
import type { BackendChoice } from '../../worker/protocol';

type Mode = 'catalog' | 'prompt-eol' | 'custom';

/**
 * Choose the model pair: a shipped pair, PromptEOL on any causal LM from the Hub,
 * or two Hub ids (embedding model + the generative model it was made from).
 */
export function PairPicker() {
  const { pair, hub, backend, status, loadPair, setHub } = useLens();
  const [backendChoice, setBackendChoice] = useState<BackendChoice>(backend);
  const current = safeParse(pair);
  const [mode, setMode] = useState<Mode>(current.kind);
  const [catalogId, setCatalogId] = useState(current.kind === 'catalog' ? current.id : CATALOG[0].id);
  const [eolModel, setEolModel] = useState(current.kind === 'prompt-eol' ? current.model : 'HuggingFaceTB/SmolLM2-135M');
  const [embed, setEmbed] = useState(current.kind === 'custom' ? current.spec.embed : 'onnx-community/Qwen3-Embedding-0.6B-ONNX');
  const [base, setBase] = useState(current.kind === 'custom' ? current.spec.base : 'Qwen/Qwen3-0.6B-Base');
  const [pooling, setPooling] = useState(current.kind === 'custom' ? current.spec.pooling : 'last');
  const [template, setTemplate] = useState(current.kind === 'custom' ? (current.spec.template ?? '{text}') : '{text}');
  const [hubUrl, setHubUrl] = useState(hub);
  const note = CATALOG.find((entry) => entry.id === catalogId)?.note;

  const chosen = (): PairSource =>
    mode === 'catalog'
      ? { kind: 'catalog', id: catalogId }
      : mode === 'prompt-eol'
        ? { kind: 'prompt-eol', model: eolModel.trim() }
        : { kind: 'custom', spec: { embed: embed.trim(), base: base.trim(), pooling, template: template === '{text}' ? undefined : template } };

  return (
    <details className="pair-picker" data-testid="pair-picker">
      <summary>Model pair…</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setHub(hubUrl);
          void loadPair(formatPairId(chosen()), backendChoice);
        }}
      >
        <label>
          <input type="radio" name="mode" checked={mode === 'catalog'} onChange={() => setMode('catalog')} /> Shipped pair{' '}
          <select value={catalogId} onChange={(e) => setCatalogId(e.currentTarget.value)} disabled={mode !== 'catalog'} data-testid="pair-catalog">
            {CATALOG.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
        {mode === 'catalog' && note && (
          <p className="pair-note" data-testid="pair-note">
            {note}
          </p>
        )}
        <label>
          <input type="radio" name="mode" checked={mode === 'prompt-eol'} onChange={() => setMode('prompt-eol')} data-testid="pair-mode-eol" /> PromptEOL on
          a causal LM <input type="text" value={eolModel} disabled={mode !== 'prompt-eol'} onChange={(e) => setEolModel(e.currentTarget.value)} size={32} />
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === 'custom'} onChange={() => setMode('custom')} data-testid="pair-mode-custom" /> Two Hub models
        </label>
        {mode === 'custom' && (
          <div className="custom-pair">
            <label>
              embedding model <input type="text" data-testid="pair-embed" value={embed} onChange={(e) => setEmbed(e.currentTarget.value)} size={36} />
            </label>
            <label>
              base (generative) model <input type="text" data-testid="pair-base" value={base} onChange={(e) => setBase(e.currentTarget.value)} size={36} />
            </label>
            <label>
              pooling{' '}
              <select value={pooling} data-testid="pair-pooling" onChange={(e) => setPooling(e.currentTarget.value as typeof pooling)}>
                <option value="last">last token</option>
                <option value="mean">mean</option>
                <option value="weighted-mean">position-weighted mean (SGPT)</option>
              </select>
            </label>
            <label>
              prompt template <input type="text" value={template} onChange={(e) => setTemplate(e.currentTarget.value)} size={36} />
            </label>
          </div>
        )}
        <label>
          Hub URL <input type="url" data-testid="pair-hub-url" value={hubUrl} placeholder="https://huggingface.co" onChange={(e) => setHubUrl(e.currentTarget.value)} size={30} />
        </label>
        <label>
          Backend{' '}
          <select value={backendChoice} data-testid="backend-select" onChange={(e) => setBackendChoice(e.currentTarget.value as BackendChoice)}>
            <option value="auto">auto (WebGPU when available)</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WASM</option>
          </select>
        </label>
        <button type="submit" className="primary" data-testid="pair-load" disabled={status === 'loading'}>
          Load pair
        </button>
      </form>
    </details>
  );
}

function safeParse(id: string): PairSource {
  try {
    return parsePairId(id);
  } catch {
    return { kind: 'catalog', id };
  }
}
