import { type FormEvent, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useLens } from '../../state/store';
import { directionLabel } from '../explorer/directionLabel';

/**
 * Opens a spectrum file written by `lens spectrum` (or verify:hub's --spectra) for the loaded pair, from disk or a
 * URL: the slider then moves along its u₁ at once, and the next visit starts with it. The worker refuses one of
 * another pair, naming why (the error area); one computed in another dtype or on another backend is used with the
 * notice shown here. `?spectrum=<url>` does the same from a link (docs/views.md).
 */
export function SpectrumFile() {
  const { ready, pairId, direction, openSpectrum } = useLens(
    useShallow((s) => ({
      ready: s.load.phase === 'ready' && s.pairInfo !== undefined,
      pairId: s.pairInfo?.id,
      direction: s.pairInfo?.direction,
      openSpectrum: s.openSpectrum,
    })),
  );
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const fileId = useId();
  const urlId = useId();
  const open = async (source: { file: File } | { url: string }) => {
    setBusy(true);
    try {
      await openSpectrum(source);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (url.trim()) void open({ url });
  };
  const fromFile = direction?.state === 'ready' && direction.source === 'file' ? direction : undefined;
  return (
    <>
      <details className="cache-manager" data-testid="spectrum-file">
        <summary>PC1 spectrum file</summary>
        <p className="muted small">
          The slider's u₁ and v₁ from a file written by <code>lens spectrum --pair {pairId ?? '<pair>'} --out …</code>, for the loaded pair.
        </p>
        <p className="small">
          <label htmlFor={fileId}>Open a spectrum file… </label>
          <input
            id={fileId}
            type="file"
            accept=".json,application/json"
            data-testid="spectrum-file-input"
            disabled={!ready || busy}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void open({ file });
            }}
          />
        </p>
        <form className="small" onSubmit={submit}>
          <label htmlFor={urlId}>or its URL </label>
          <input
            id={urlId}
            type="text"
            inputMode="url"
            placeholder="https://…/spectrum.json"
            data-testid="spectrum-url"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
          />{' '}
          <button type="submit" data-testid="spectrum-url-open" disabled={!ready || busy || !url.trim()}>
            Open
          </button>
        </form>
        {fromFile && (
          <p className="muted small" data-testid="spectrum-in-use">
            In use: {directionLabel(fromFile)}.
          </p>
        )}
      </details>
      {fromFile?.notice && (
        <p className="muted small" data-testid="spectrum-notice" role="status">
          {fromFile.notice}
        </p>
      )}
    </>
  );
}
