import { useState } from 'react';
import { CATALOG, type CatalogEntry } from '../../shared/catalog';
import { autoDtypeHint } from '../../shared/dtypes';
import { formatPairId, needsHub, type PairSource, parsePairId } from '../../shared/pairId';
import { type LensState, useLens } from '../../state/store';
import { type BackendChoice, type CachedModel, DTYPES, type Dtype, type LoadEstimate } from '../../worker/protocol';
import { downloadSize, megabytes } from './ModelStatus';

const SHIPPED = CATALOG.filter((entry) => entry.manifest);
const FROM_HUB = CATALOG.filter((entry) => entry.hub);

/** Whether a catalog pair's files are in this browser's model cache (the "Cached models" panel's list, CacheManager.tsx). */
function cacheNote(entry: CatalogEntry, cache: CachedModel[] | undefined): string {
  if (!entry.hub) return 'Ships with this app: read from this site each time it loads (not kept in the model cache).';
  if (!cache) return 'Looking in this browser’s cache…';
  const { embed, base, head = base } = entry.hub;
  const rows = cache.filter((c) => (c.kind === 'model files' && (c.repo === embed || c.repo === base)) || (c.kind === 'LM head' && c.repo === head));
  const bytes = rows.reduce((n, c) => n + c.bytes, 0);
  const has = (repo: string, kind: CachedModel['kind']) => rows.some((c) => c.repo === repo && c.kind === kind);
  const missing = [...[...new Set([embed, base])].filter((repo) => !has(repo, 'model files')), ...(has(head, 'LM head') ? [] : [`${head} (W)`])];
  if (rows.length === 0) return 'Not downloaded yet.';
  if (missing.length === 0) return `Downloaded: ${downloadSize(bytes)} in this browser’s cache.`;
  return `Partly downloaded: ${downloadSize(bytes)} in this browser’s cache; not yet ${missing.join(', ')}.`;
}

/** The device a load on `backend` runs on here, and whether it has shader-f16, as the worker found them (undefined until asked). */
function deviceFor(backend: BackendChoice, auto: LensState['autoBackend']): LensState['autoBackend'] {
  if (backend === 'wasm') return { device: 'wasm', shaderF16: false };
  // backend=webgpu where there is no adapter runs on WASM (and says so), as auto does.
  return auto;
}

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
  const inspectBrowser = useLens((s) => s.inspectBrowser);
  // Re-seeded whenever the loaded pair changes (a fallback after a failed load included), so it never goes stale.
  // Opened, it asks what it says of this browser: which pairs are here, what auto picks, what is cached.
  return (
    <details className="pair-picker" data-testid="pair-picker" onToggle={(e) => e.currentTarget.open && void inspectBrowser()}>
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
  const catalogAvailable = useLens((s) => s.catalogAvailable);
  const autoBackend = useLens((s) => s.autoBackend);
  const cache = useLens((s) => s.cache);
  const [inspected, setInspected] = useState<{ pair: string; backend: BackendChoice; estimate: LoadEstimate }>();
  const [inspecting, setInspecting] = useState(false);
  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const pairId = formatPairId(chosenPair(draft));
  const sizes = inspected?.pair === pairId ? inspected.estimate : undefined;
  const entry = CATALOG.find((e) => e.id === draft.catalogId);
  const hubPair = needsHub(pairId);
  const unavailable = (id: string) => catalogAvailable?.[id] === false;
  const cannotLoad = draft.mode === 'catalog' && unavailable(draft.catalogId);
  // What "auto" loads: once the repos are asked, the worker's answer for this pair; before, the rule on this device.
  const autoDtype =
    inspected?.pair === pairId && inspected.backend === draft.backend
      ? `auto (${inspected.estimate.dtype} here)`
      : `auto (${autoDtypeHint(deviceFor(draft.backend, autoBackend))})`;

  const inspect = async () => {
    setInspecting(true);
    const estimate = await inspectPair(pairId, draft.backend, draft.hubUrl);
    setInspecting(false);
    if (estimate) setInspected({ pair: pairId, backend: draft.backend, estimate });
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (cannotLoad) return;
        setHub(draft.hubUrl);
        void loadPair(pairId, draft.backend, { dtype: hubPair ? draft.dtype : '' });
      }}
    >
      <label>
        <input type="radio" name="mode" checked={draft.mode === 'catalog'} onChange={() => update({ mode: 'catalog' })} /> A pair from the list{' '}
        <select
          value={draft.catalogId}
          onChange={(e) => update({ catalogId: e.currentTarget.value })}
          disabled={draft.mode !== 'catalog'}
          data-testid="pair-catalog"
        >
          {[
            ['Shipped with the app', SHIPPED],
            ['From the Hugging Face Hub', FROM_HUB],
          ].map(([group, entries]) => (
            <optgroup key={group as string} label={group as string}>
              {(entries as CatalogEntry[]).map((e) => (
                // A pair whose files are not on this site cannot be chosen (its note says what makes them).
                <option key={e.id} value={e.id} disabled={unavailable(e.id)}>
                  {e.label}
                  {unavailable(e.id) ? ' — needs export' : ''}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      {draft.mode === 'catalog' && entry && (
        <div className="pair-note" data-testid="pair-note" id="pair-note">
          {entry.note && <p>{entry.note}</p>}
          <p data-testid="pair-facts">
            Download: {entry.size}. Licence: {entry.licence}.
          </p>
          <p data-testid="pair-cached">{cacheNote(entry, cache)}</p>
          {cannotLoad && (
            <p data-testid="pair-unavailable" role="status">
              Cannot load here: its model files are not on this site yet (only its manifest is).
            </p>
          )}
        </div>
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
          <option value="auto" data-testid="backend-auto">
            {autoBackend
              ? autoBackend.device === 'webgpu'
                ? 'auto (WebGPU here)'
                : 'auto (WASM here: this browser has no WebGPU)'
              : 'auto (WebGPU when available)'}
          </option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WASM</option>
        </select>
      </label>
      {hubPair && (
        <div className="dtype-choice">
          <label>
            Variant{' '}
            <select value={draft.dtype} data-testid="dtype-select" onChange={(e) => update({ dtype: e.currentTarget.value as Dtype | '' })}>
              <option value="" data-testid="dtype-auto">
                {autoDtype}
              </option>
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
      <button
        type="submit"
        className="primary"
        data-testid="pair-load"
        disabled={status === 'loading' || cannotLoad}
        aria-describedby={cannotLoad ? 'pair-note' : undefined}
      >
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
