import { useLens } from '../state/store';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Which pair is loaded on which backend, with a progress bar per file while loading. */
export function ModelStatus() {
  const { status, pair, pairInfo, files } = useLens();
  const entries = Object.values(files);
  const label =
    status === 'ready' && pairInfo
      ? `${pairInfo.id} · ${pairInfo.device} · ready (loaded in ${(pairInfo.loadMs / 1000).toFixed(1)} s)`
      : status === 'loading'
        ? `${pair} · loading…`
        : status === 'error'
          ? `${pair} · failed to load`
          : `${pair} · not loaded`;
  return (
    <div className="model-status">
      <span data-testid="model-status" className={`status ${status}`} role="status">
        {label}
      </span>
      {status === 'loading' && entries.length > 0 && (
        <ul className="file-progress">
          {entries.map((f) => (
            <li key={f.file}>
              <span className="file">{f.file}</span>
              <progress max={f.total || 1} value={f.done ? f.total || 1 : f.loaded} />
              <span className="bytes">{f.done ? 'done' : f.total ? `${mb(f.loaded)} / ${mb(f.total)}` : mb(f.loaded)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
