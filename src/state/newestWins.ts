/**
 * "Newest wins": the one rule every store applies to the worker's replies. The user can ask again before an
 * answer comes back (type, drag, load another pair, run again); only the newest request's answer is applied,
 * and an older one that arrives late is dropped.
 *
 * ```ts
 * const latest = newestWins();
 * const ticket = latest.next();
 * const value = await work();
 * if (!latest.isCurrent(ticket)) return; // a newer request (or a cancel) came meanwhile
 * ```
 *
 * Tickets count up from 1 and are never reused, so a ticket can also name the request to the worker
 * (an align's requestId, an analysis's runId).
 */
export interface NewestWins {
  /** Starts a request: returns its ticket, which is now the newest (every earlier one is stale). */
  next(): number;
  /** Whether `ticket` is still the newest: no request started and no invalidate() since. */
  isCurrent(ticket: number): boolean;
  /** Makes every ticket handed out so far stale without starting a request (a cancel, a restarted worker). */
  invalidate(): void;
  /** The newest ticket handed out (0 before the first), e.g. to name the run to cancel. */
  current(): number;
}

export function newestWins(): NewestWins {
  let newest = 0;
  return {
    next: () => ++newest,
    isCurrent: (ticket) => ticket === newest,
    invalidate: () => {
      newest++;
    },
    current: () => newest,
  };
}

/**
 * "At most one in flight, the newest value wins": for requests too frequent to send each (slider ticks).
 * A call while a run is in flight starts nothing; once that run ends, one more run starts for all the
 * calls made meanwhile. `run` reads the state it needs when it starts, so that last run sees the newest
 * value. The returned promise settles when the call's own run ends (at once for a call that was folded
 * into the next run); `run` handles its own errors.
 */
export function oneInFlight(run: () => Promise<void>): () => Promise<void> {
  let inFlight = false;
  let pending = false;
  const start = async (): Promise<void> => {
    if (inFlight) {
      pending = true;
      return;
    }
    inFlight = true;
    try {
      await run();
    } finally {
      inFlight = false;
      if (pending) {
        pending = false;
        void start();
      }
    }
  };
  return start;
}
