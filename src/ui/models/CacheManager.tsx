import { useShallow } from 'zustand/react/shallow';
import { useLens } from '../../state/store';
import { megabytes } from './ModelStatus';

/** What the browser keeps of downloaded models (Cache API files, IndexedDB LM heads): sizes, delete one or all. */
export function CacheManager() {
  const { cache, refreshCache, deleteCached } = useLens(useShallow((s) => ({ cache: s.cache, refreshCache: s.refreshCache, deleteCached: s.deleteCached })));
  const total = (cache ?? []).reduce((sum, c) => sum + c.bytes, 0);
  return (
    <details className="cache-manager" data-testid="cache-manager" onToggle={(e) => e.currentTarget.open && void refreshCache()}>
      <summary>Cached models</summary>
      {cache && cache.length === 0 && <p className="muted small">Nothing cached.</p>}
      {cache && cache.length > 0 && (
        <>
          <div className="table-scroll">
            <table className="data">
              <tbody>
                {cache.map((c) => (
                  <tr key={`${c.repo}-${c.kind}`} data-testid="cache-row">
                    <td>{c.repo}</td>
                    <td>{c.kind}</td>
                    <td>{c.files} file(s)</td>
                    <td>{megabytes(c.bytes)}</td>
                    <td>
                      <button type="button" onClick={() => void deleteCached(c.repo)} aria-label={`Delete ${c.repo} from the cache`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="small">
            {megabytes(total)} in all.{' '}
            <button type="button" data-testid="cache-clear" onClick={() => void deleteCached(null)}>
              Delete all
            </button>
          </p>
        </>
      )}
    </details>
  );
}
