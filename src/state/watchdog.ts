/**
 * The load watchdog: a load is a set of steps (the model worker's start, each download, the browser's cache
 * storage and IndexedDB, WebAssembly compiles, onnxruntime session builds: worker/steps.ts), each of which
 * begins, may make progress, and ends. While any step moves, all is well; once nothing has moved for
 * `stallMs`, the step waited on is named ("waiting for the browser's cache storage for 20 s…") and the page
 * offers Cancel and Retry. So no load can sit at "loading…" without a word, whatever it waits on.
 */

/** Quiet this long and the load is said to be waiting (a session build of a large body may take this long, and is then named). */
export const STALL_MS = 15_000;

export interface Stall {
  /** What the load waits on, in words ("the browser's cache storage"). */
  label: string;
  /** How long it has made no progress, in whole seconds. */
  seconds: number;
}

interface ActiveStep {
  label: string;
  began: number;
  moved: number;
}

export class LoadWatchdog {
  private readonly active = new Map<string, ActiveStep>();
  private lastMove: number;

  constructor(now: number) {
    this.lastMove = now;
  }

  begin(key: string, label: string, now: number): void {
    this.active.set(key, { label, began: now, moved: now });
    this.lastMove = now;
  }

  /** A step moved (bytes arrived); a step not yet begun begins. */
  progress(key: string, label: string, now: number): void {
    const step = this.active.get(key);
    if (step) step.moved = now;
    else this.active.set(key, { label, began: now, moved: now });
    this.lastMove = now;
  }

  end(key: string, now: number): void {
    this.active.delete(key);
    this.lastMove = now;
  }

  /**
   * What the load waits on, once nothing has moved for `stallMs`: the step begun last of those still open (an
   * outer step waits on the inner ones begun after it), or the model worker itself when no step is open.
   */
  stalled(now: number, stallMs = STALL_MS): Stall | undefined {
    if (now - this.lastMove < stallMs) return undefined;
    let waitedOn: ActiveStep | undefined;
    for (const step of this.active.values()) if (!waitedOn || step.began >= waitedOn.began) waitedOn = step;
    const since = waitedOn ? waitedOn.moved : this.lastMove;
    return { label: waitedOn?.label ?? 'the model worker', seconds: Math.floor((now - since) / 1000) };
  }
}
