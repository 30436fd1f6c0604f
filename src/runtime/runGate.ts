/**
 * One model run at a time, the page's requests first. Work in the background (the
 * PC1 sample a Hub pair embeds after it loads) queues behind every waiting
 * foreground run, so a text typed meanwhile waits for at most the one run that is
 * going on (a run itself cannot be interrupted).
 */
export class RunGate {
  private busy = false;
  private readonly waiting: { background: boolean; go: () => void }[] = [];

  async run<T>(work: () => Promise<T>, background = false): Promise<T> {
    if (this.busy) await new Promise<void>((go) => this.waiting.push({ background, go }));
    else this.busy = true;
    try {
      return await work();
    } finally {
      // Decided after the caller's continuation has run (a macrotask later): a foreground encode's
      // second body is then already waiting, and does not lose the gate to the background between two runs.
      setTimeout(() => this.handOver(), 0);
    }
  }

  /** Runs waiting for the gate (for tests and progress text). */
  get queued(): number {
    return this.waiting.length;
  }

  private handOver(): void {
    const foreground = this.waiting.findIndex((w) => !w.background);
    const [next] = this.waiting.splice(Math.max(foreground, 0), 1);
    if (next) next.go();
    else this.busy = false;
  }
}
