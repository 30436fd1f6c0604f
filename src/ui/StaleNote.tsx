import { type Provenance, useStaleNote } from '../state/provenance';

/** "Computed on <pair>": shown above a result that is not the loaded pair's (nothing of it is applied). */
export function StaleNote({ computedOn, testId = 'stale-note' }: { computedOn?: Provenance; testId?: string }) {
  const note = useStaleNote(computedOn);
  if (!note) return null;
  return (
    <p className="stale-note" data-testid={testId} role="status">
      {note}
    </p>
  );
}
