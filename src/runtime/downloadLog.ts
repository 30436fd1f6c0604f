/**
 * The files one load attempt downloaded whole, so that a load that fails on a
 * file's contents (a corrupt ONNX, a tokenizer that is not what it claims) leaves
 * nothing of it in any cache: the next try downloads afresh (which failures those
 * are: faults.ts, cacheMayKeep). How an entry is
 * removed depends on where transformers.js cached it (the browser's Cache API,
 * or its folder on disk in Node).
 */
export class DownloadLog {
  private readonly urls = new Set<string>();

  constructor(private readonly remove: (urls: string[]) => Promise<void>) {}

  readonly record = (url: string): void => {
    this.urls.add(url);
  };

  /** A new attempt starts: what earlier attempts downloaded is no longer this one's to forget. */
  reset(): void {
    this.urls.clear();
  }

  /** Removes this attempt's downloads from the cache; returns how many there were. */
  async forget(): Promise<number> {
    const urls = [...this.urls];
    this.urls.clear();
    if (urls.length) await this.remove(urls);
    return urls.length;
  }
}
