/**
 * Reading pair files with byte progress. The browser reads over HTTP from the
 * app's own origin; the CLI passes a reader over the local file system.
 */
export interface FileProgress {
  /** Which file (path under the model root). */
  file: string;
  loaded: number;
  /** 0 when the size is not known yet. */
  total: number;
  done: boolean;
}

export type ProgressListener = (progress: FileProgress) => void;

/**
 * The files a load will read, before it starts, with their sizes where known (HEAD's Content-Length):
 * the loading panel's total. `complete`: every file the load reads is listed (a pair shipped under the
 * model root); a Hub pair's list is not (its small files are found as they come), so its total is a floor.
 */
export interface PlannedFiles {
  files: { file: string; bytes?: number }[];
  complete: boolean;
}

export type BinaryReader = (path: string, onProgress?: ProgressListener) => Promise<ArrayBuffer>;

/**
 * A file the server could not give just now (no connection, 429, a 5xx): unlike a 404, asking again may work,
 * so whoever asks must not take the file for absent (runtime/pairFiles.ts catalogPairStatus).
 */
export class TransientReadError extends Error {
  override name = 'TransientReadError';
}

/** A reader over HTTP(S) rooted at `root` (e.g. `/models/`), reporting bytes as they arrive. */
export function httpReader(root: string): BinaryReader {
  return async (path, onProgress) => {
    const url = new URL(path, new URL(root, globalThis.location?.href ?? 'http://localhost/')).href;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (cause) {
      throw new TransientReadError(`Could not reach ${url}: the server is unreachable or offline.`, { cause });
    }
    if (!response.ok) {
      const message = `${path}: the server answered ${response.status} ${response.statusText}`.trim();
      throw response.status === 429 || response.status >= 500 ? new TransientReadError(message) : new Error(message);
    }
    const total = Number(response.headers.get('Content-Length') ?? 0);
    if (!response.body) {
      const buffer = await response.arrayBuffer();
      onProgress?.({ file: path, loaded: buffer.byteLength, total: buffer.byteLength, done: true });
      return buffer;
    }
    const reader = response.body.getReader();
    // With a known size, chunks go straight into one buffer (no second copy of a large file).
    let bytes = new Uint8Array(total);
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    let written = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (chunks.length === 0 && written + value.byteLength <= bytes.byteLength) {
        bytes.set(value, written);
        written += value.byteLength;
      } else chunks.push(value);
      loaded += value.byteLength;
      onProgress?.({ file: path, loaded, total, done: false });
    }
    if (chunks.length > 0 || written !== bytes.byteLength) {
      // Size unknown or wrong (e.g. a compressed response): gather what came.
      const whole = new Uint8Array(loaded);
      let offset = written;
      whole.set(bytes.subarray(0, written));
      for (const chunk of chunks) {
        whole.set(chunk, offset);
        offset += chunk.byteLength;
      }
      bytes = whole;
    }
    onProgress?.({ file: path, loaded, total: total || loaded, done: true });
    return bytes.buffer;
  };
}

export async function readText(reader: BinaryReader, path: string, onProgress?: ProgressListener): Promise<string> {
  return new TextDecoder().decode(await reader(path, onProgress));
}
