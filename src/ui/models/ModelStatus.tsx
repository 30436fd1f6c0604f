import { useLens } from '../../state/store';
import { threadsNote } from './threadsNote';

export const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

/** Which pair is loaded on which backend; while loading, a bar per file, the total and a cancel button. */
export function ModelStatus() {
  const { status, pair, pairInfo, files, estimate, cancelLoad, loadPair } = useLens();
  const entries = Object.values(files);
  const loaded = entries.reduce((sum, f) => sum + (f.done ? f.total || f.loaded : f.loaded), 0);
  const total = entries.reduce((sum, f) => sum + (f.total || f.loaded), 0);
  const label =
    status === 'ready' && pairInfo
      ? `${pairInfo.name} · ${pairInfo.device}${pairInfo.precision === 'fp16' ? ' fp16' : ''} · ready (loaded in ${(pairInfo.loadMs / 1000).toFixed(1)} s)`
      : status === 'loading'
        ? `${pair} · loading…`
        : status === 'confirm'
          ? `${pair} · waiting for your go-ahead`
          : status === 'error'
            ? `${pair} · failed to load`
            : `${pair} · not loaded`;
  return (
    <div className="model-status">
      <span data-testid="model-status" className={`status ${status}`} role="status">
        {label}
      </span>
      {status === 'ready' && (
        <p className="threads-note" data-testid="threads-note" data-isolated={String(globalThis.crossOriginIsolated === true)}>
          {threadsNote(globalThis.crossOriginIsolated === true)}
        </p>
      )}
      {status === 'ready' && pairInfo?.notice && (
        <p className="backend-notice" data-testid="backend-notice" role="status">
          {pairInfo.notice}
        </p>
      )}
      {status === 'confirm' && estimate && (
        <div className="confirm" data-testid="memory-warning" role="alert">
          This pair needs about {megabytes(estimate.totalBytes)}
          {estimate.deviceBytes ? ` on a device with about ${megabytes(estimate.deviceBytes)} of memory` : ''}: it may not fit.
          <div className="actions">
            <button type="button" onClick={() => void loadPair(pair, undefined, { force: true })}>
              Load anyway
            </button>
            <button type="button" onClick={() => void cancelLoad()}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {status === 'loading' && (
        <div className="downloads" data-testid="download-progress">
          {entries.length > 0 && (
            <ul className="file-progress">
              {entries.map((f) => (
                <li key={f.file}>
                  <span className="file" title={f.file}>
                    {f.file}
                  </span>
                  <progress max={f.total || 1} value={f.done ? f.total || 1 : f.loaded} />
                  <span className="bytes">{f.done ? 'done' : f.total ? `${megabytes(f.loaded)} / ${megabytes(f.total)}` : megabytes(f.loaded)}</span>
                </li>
              ))}
            </ul>
          )}
          <div className="total">
            {total > 0 && (
              <span data-testid="download-total">
                {megabytes(loaded)} / {megabytes(Math.max(total, estimate?.totalBytes ?? 0))}
              </span>
            )}
            <button type="button" data-testid="download-cancel" onClick={() => void cancelLoad()}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
