import { downloadTotal } from '../../state/downloadTotal';
import { type LoadQuestion, useLens } from '../../state/store';
import type { FileProgress } from '../../worker/protocol';
import { threadsNote } from './threadsNote';

const NO_FILES: Record<string, FileProgress> = {};

export const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

/** A download's size to three figures: "23.4 MB", "1.52 GB". */
export const downloadSize = (bytes: number) => (bytes < 1e9 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e9).toFixed(2)} GB`);

/** Which pair is loaded on which backend; while loading, a bar per file, the total and a cancel button. */
export function ModelStatus() {
  const load = useLens((s) => s.load);
  const pair = useLens((s) => s.pair);
  const pairInfo = useLens((s) => s.pairInfo);
  const status = load.phase;
  const files = load.phase === 'loading' ? load.files : NO_FILES;
  const estimate = load.phase === 'loading' ? load.estimate : undefined;
  const planned = load.phase === 'loading' ? load.planned : undefined;
  const stalled = load.phase === 'loading' ? load.stalled : undefined;
  const retryLoad = useLens((s) => s.retryLoad);
  // Threads need SharedArrayBuffer, which WebKitGTK withholds even from a cross-origin isolated page.
  const isolated = globalThis.crossOriginIsolated === true;
  const sharedMemory = typeof SharedArrayBuffer === 'function';
  const question = load.phase === 'confirm' ? load.question : undefined;
  const cancelLoad = useLens((s) => s.cancelLoad);
  const loadPair = useLens((s) => s.loadPair);
  const entries = Object.values(files);
  const { loaded, total, exact } = downloadTotal(files, planned, estimate?.totalBytes);
  const label =
    status === 'ready' && pairInfo
      ? `${pairInfo.name} · ${pairInfo.device}${pairInfo.dtype === 'fp32' ? '' : ` ${pairInfo.dtype}`} · ready (loaded in ${(pairInfo.loadMs / 1000).toFixed(1)} s)`
      : status === 'loading'
        ? stalled
          ? `${pair} · loading… waiting for ${stalled.label} for ${stalled.seconds} s…`
          : `${pair} · loading…`
        : status === 'confirm'
          ? `${pair} · waiting for your go-ahead`
          : status === 'error'
            ? `${pair} · failed to load`
            : `${pair} · not loaded`;
  return (
    <div className="model-status">
      <span
        data-testid="model-status"
        data-stalled={stalled ? stalled.label : undefined}
        className={`status ${status}`}
        role="status"
        data-weights={status === 'ready' ? pairInfo?.weightsFrom : undefined}
        title={
          status === 'ready' && pairInfo?.weightsFrom === 'disk cache'
            ? "The bodies' weights went from the browser's disk cache into the runtime one tensor at a time (never whole in this tab)."
            : undefined
        }
      >
        {label}
      </span>
      {status === 'ready' && (
        <p className="threads-note" data-testid="threads-note" data-isolated={String(isolated)} data-threads={String(isolated && sharedMemory)}>
          {threadsNote(isolated, sharedMemory)}
        </p>
      )}
      {status === 'ready' && pairInfo?.notice && (
        <p className="backend-notice" data-testid="backend-notice" role="status">
          {pairInfo.notice}
        </p>
      )}
      {status === 'confirm' && question && (
        <div className="confirm" data-testid={question.kind === 'memory' ? 'memory-warning' : 'link-question'} role="alert">
          <LoadQuestionText question={question} />
          <div className="actions">
            <button
              type="button"
              data-testid="confirm-load"
              // A Hub named by a link is contacted only now; the pair is then sized, and asks again only if it may not fit.
              onClick={() => void loadPair(pair, undefined, question.kind === 'link-host' ? {} : { force: true })}
            >
              {question.kind === 'memory' ? 'Load anyway' : question.kind === 'link-host' ? `Contact ${question.host} and load` : 'Download and load'}
            </button>
            <button type="button" data-testid="confirm-cancel" onClick={() => void cancelLoad()}>
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
              <span data-testid="download-total" data-total-bytes={total} data-exact={String(exact)}>
                {downloadSize(loaded)} / {exact ? '' : 'at least '}
                {downloadSize(total)}
              </span>
            )}
            {stalled && (
              <button type="button" data-testid="load-retry" onClick={() => void retryLoad()}>
                Retry
              </button>
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

function LoadQuestionText({ question }: { question: LoadQuestion }) {
  if (question.kind === 'link-host') {
    return (
      <p>
        This link asks to download models from <strong>{question.host}</strong>, which is not huggingface.co: {question.repos.join(', ')}. Nothing has been sent
        to {question.host} yet.
      </p>
    );
  }
  if (question.kind === 'link') {
    return (
      <p>
        This link asks to download {question.repos.join(', ')} from <strong>{question.host}</strong>: {megabytes(question.bytes)}.
      </p>
    );
  }
  return (
    <p>
      This pair needs about {megabytes(question.bytes)} of memory
      {question.deviceBytes ? ` on a device with about ${megabytes(question.deviceBytes)}` : ''}: it may not fit.
    </p>
  );
}
