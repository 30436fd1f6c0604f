import { useState } from 'react';
import { CATALOG } from '../../shared/catalog';
import { formatPairId, needsHub, type PairSource, parsePairId } from '../../shared/pairId';
import { useLens } from '../../state/store';
import { type BackendChoice, DTYPES, type Dtype, type LoadEstimate } from '../../worker/protocol';
import { megabytes } from './ModelStatus';

type Mode = PairSource['kind'];

/** What the form holds until "Load pair": seeded from the loaded pair each time it changes. */
interface Draft {
  mode: Mode;
  catalogId: string;
  eolModel: string;
  embed: string;
  base: string;
  pooling: 'last' | 'mean' | 'weighted-mean';
  template: string;
  hubUrl: string;
  backend: BackendChoice;
  dtype: Dtype | '';
}

function draftFrom(pair: string, hub: string, backend: BackendChoice, dtype: Dtype | ''): Draft {
  const current = safeParse(pair);
  return {
    mode: current.kind,
    catalogId: current.kind === 'catalog' ? current.id : CATALOG[0].id,
    eolModel: current.kind === 'prompt-eol' ? current.model : 'HuggingFaceTB/SmolLM2-135M-Instruct',
    embed: current.kind === 'custom' ? current.spec.embed : 'onnx-community/Qwen3-Embedding-0.6B-ONNX',
    base: current.kind === 'custom' ? current.spec.base : 'onnx-community/Qwen3-0.6B-ONNX',
    pooling: current.kind === 'custom' ? current.spec.pooling : 'last',
    template: current.kind === 'custom' ? (current.spec.template ?? '{text}') : '{text}',
    hubUrl: hub,
    backend,
    dtype,
  };
}

function chosenPair(d: Draft): PairSource {
  if (d.mode === 'catalog') return { kind: 'catalog', id: d.catalogId };
  if (d.mode === 'prompt-eol') return { kind: 'prompt-eol', model: d.eolModel.trim() };
  return {
    kind: 'custom',
    spec: { embed: d.embed.trim(), base: d.base.trim(), pooling: d.pooling, template: d.template === '{text}' ? undefined : d.template },
  };
}

/**
 * Choose the model pair: a shipped pair, PromptEOL on any causal LM from the Hub,
 * or two Hub ids (embedding model + the generative model it was made from).
 */
export function PairPicker() {
  const pair = useLens((s) => s.pair);
  const hub = useLens((s) => s.hub);
  const backend = useLens((s) => s.backend);
  const dtype = useLens((s) => s.dtype);
  // Re-seeded whenever the loaded pair changes (a fallback after a failed load included), so it never goes stale.
  return (
    <details className="pair-picker" data-testid="pair-picker">
      <summary>Model pair…</summary>
      <PairForm key={`${pair}|${hub}|${backend}|${dtype}`} initial={draftFrom(pair, hub, backend, dtype)} />
    </details>
  );
}

function PairForm({ initial }: { initial: Draft }) {
  const status = useLens((s) => s.load.phase);
  const loadPair = useLens((s) => s.loadPair);
  const inspectPair = useLens((s) => s.inspectPair);
  const setHub = useLens((s) => s.setHub);
  const [draft, setDraft] = useState(initial);
  const [inspected, setInspected] = useState<{ pair: string; estimate: LoadEstimate }>();
  const [inspecting, setInspecting] = useState(false);
  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const pairId = formatPairId(chosenPair(draft));
  const sizes = inspected?.pair === pairId ? inspected.estimate : undefined;
  const note = CATALOG.find((entry) => entry.id === draft.catalogId)?.note;
  const hubPair = needsHub(pairId);

  const inspect = async () => {
    setInspecting(true);
    const estimate = await inspectPair(pairId, draft.backend, draft.hubUrl);
    setInspecting(false);
    if (estimate) setInspected({ pair: pairId, estimate });
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setHub(draft.hubUrl);
        void loadPair(pairId, draft.backend, { dtype: hubPair ? draft.dtype : '' });
      }}
    >
      <label>
        <input type="radio" name="mode" checked={draft.mode === 'catalog'} onChange={() => update({ mode: 'catalog' })} /> Shipped pair{' '}
        <select
          value={draft.catalogId}
          onChange={(e) => update({ catalogId: e.currentTarget.value })}
          disabled={draft.mode !== 'catalog'}
          data-testid="pair-catalog"
        >
          {CATALOG.map((entry) => (
            <option key={entry.id} value={entry.id}>
              {entry.label}
            </option>
          ))}
        </select>
      </label>
      {draft.mode === 'catalog' && note && (
        <p className="pair-note" data-testid="pair-note">
          {note}
        </p>
      )}
      <label>
        <input type="radio" name="mode" checked={draft.mode === 'prompt-eol'} onChange={() => update({ mode: 'prompt-eol' })} data-testid="pair-mode-eol" />{' '}
        PromptEOL on a causal LM{' '}
        <input
          type="text"
          value={draft.eolModel}
          disabled={draft.mode !== 'prompt-eol'}
          onChange={(e) => update({ eolModel: e.currentTarget.value })}
          size={32}
        />
      </label>
      <label>
        <input type="radio" name="mode" checked={draft.mode === 'custom'} onChange={() => update({ mode: 'custom' })} data-testid="pair-mode-custom" /> Two Hub
        models
      </label>
      {draft.mode === 'custom' && (
        <div className="custom-pair">
          <label>
            embedding model{' '}
            <input type="text" data-testid="pair-embed" value={draft.embed} onChange={(e) => update({ embed: e.currentTarget.value })} size={36} />
          </label>
          <label>
            base (generative) model{' '}
            <input type="text" data-testid="pair-base" value={draft.base} onChange={(e) => update({ base: e.currentTarget.value })} size={36} />
          </label>
          <label>
            pooling{' '}
            <select value={draft.pooling} data-testid="pair-pooling" onChange={(e) => update({ pooling: e.currentTarget.value as Draft['pooling'] })}>
              <option value="last">last token</option>
              <option value="mean">mean</option>
              <option value="weighted-mean">position-weighted mean (SGPT)</option>
            </select>
          </label>
          <label>
            prompt template <input type="text" value={draft.template} onChange={(e) => update({ template: e.currentTarget.value })} size={36} />
          </label>
        </div>
      )}
      <label>
        Hub URL{' '}
        <input
          type="url"
          data-testid="pair-hub-url"
          value={draft.hubUrl}
          placeholder="https://huggingface.co"
          onChange={(e) => update({ hubUrl: e.currentTarget.value })}
          size={30}
        />
      </label>
      <label>
        Backend{' '}
        <select value={draft.backend} data-testid="backend-select" onChange={(e) => update({ backend: e.currentTarget.value as BackendChoice })}>
          <option value="auto">auto (WebGPU when available)</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WASM</option>
        </select>
      </label>
      {hubPair && (
        <div className="dtype-choice">
          <label>
            Variant{' '}
            <select value={draft.dtype} data-testid="dtype-select" onChange={(e) => update({ dtype: e.currentTarget.value as Dtype | '' })}>
              <option value="">auto (q8 on WASM, q4f16/fp16 on WebGPU with shader-f16)</option>
              {(sizes ? sizes.dtypes : DTYPES.map((d) => ({ dtype: d, bytes: 0 }))).map(({ dtype, bytes }) => (
                <option key={dtype} value={dtype} data-testid="dtype-option">
                  {dtype}
                  {bytes ? ` · ${megabytes(bytes)}` : ''}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="button" data-testid="pair-inspect" disabled={inspecting || status === 'loading'} onClick={() => void inspect()}>
            {inspecting ? 'Checking…' : 'Check variants and sizes'}
          </button>
          {sizes && (
            <p className="pair-note" data-testid="pair-sizes">
              {sizes.repos.join(', ')} on {sizes.hubUrl}: {sizes.dtype} by default here, {megabytes(sizes.totalBytes)} to download, about{' '}
              {megabytes(sizes.memoryBytes)} in memory.
            </p>
          )}
        </div>
      )}
      <button type="submit" className="primary" data-testid="pair-load" disabled={status === 'loading'}>
        Load pair
      </button>
    </form>
  );
}

function safeParse(id: string): PairSource {
  try {
    return parsePairId(id);
  } catch {
    return { kind: 'catalog', id };
  }
}
