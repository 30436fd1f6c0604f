import { useShallow } from 'zustand/react/shallow';
import { SAFE_URL_LENGTH } from '../state/linkCheck';
import { useLink } from '../state/linkStore';
import { saveViewFile } from './explorer/StateFile';

/** What the page says about its link: values it put right, a text the link carries only in part, a link too long to share. */
export function LinkNotices() {
  const { cut, tooLong, corrections, dismissCorrections } = useLink(
    useShallow((s) => ({ cut: s.cut, tooLong: s.tooLong, corrections: s.corrections, dismissCorrections: s.dismissCorrections })),
  );
  if (!cut && tooLong === undefined && corrections.length === 0) return null;
  return (
    <div className="link-notices" aria-live="polite">
      {corrections.length > 0 && (
        <p className="notice" data-testid="link-corrections">
          The link had values this page cannot show: {corrections.join(' ')}{' '}
          <button type="button" onClick={dismissCorrections}>
            OK
          </button>
        </p>
      )}
      {cut && (
        <p className="muted small" data-testid="link-cut" data-chars={cut.chars}>
          The link carries only the first {cut.chars.toLocaleString('en')} of the text's {cut.of.toLocaleString('en')} characters: what the model reads. Save
          the view as a file to keep the whole text.
        </p>
      )}
      {tooLong !== undefined && (
        <p className="notice" data-testid="link-too-long" data-length={tooLong}>
          This view's link would be {tooLong.toLocaleString('en')} characters, more than browsers and servers accept ({SAFE_URL_LENGTH.toLocaleString('en')}):
          the address bar keeps the last text that fit. Share the view as a file instead:{' '}
          <button type="button" data-testid="link-save-file" onClick={saveViewFile}>
            Save view (JSON)
          </button>
        </p>
      )}
    </div>
  );
}
