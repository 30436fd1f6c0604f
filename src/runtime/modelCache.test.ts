import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedBlob } from './modelCache';
import type { Fetch } from './resilientFetch';

/**
 * A Cache API stand-in with the behaviour cachedBlob relies on: put() reads the body to its end and keeps
 * it, rejects if the body errors (nothing kept), and (like a private window's in-memory cache) refuses a
 * body over `limit` bytes part-way, cancelling it.
 */
class StandInCache {
  readonly kept = new Map<string, Uint8Array>();
  limit = Number.POSITIVE_INFINITY;

  async match(url: string): Promise<Response | undefined> {
    const bytes = this.kept.get(url);
    return bytes ? new Response(bytes.slice()) : undefined;
  }

  async put(url: string, response: Response): Promise<void> {
    const reader = response.body!.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read(); // a body that errors rejects here
      if (done) break;
      size += value.byteLength;
      if (size > this.limit) {
        await reader.cancel();
        throw new TypeError('Quota exceeded.');
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    this.kept.set(url, bytes);
  }
}

const cache = new StandInCache();
const FILE = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 7) % 251);
const URL_OF = (name: string) => `http://hub.test/org/model/resolve/main/onnx/${name}`;

/** A server sending FILE in 1 kB pieces (failing after `failAt` bytes), counting requests and bytes sent. */
function server(failAt = Number.POSITIVE_INFINITY, status = 200) {
  const log = { requests: 0, sent: 0 };
  const fetch: Fetch = async () => {
    log.requests++;
    let at = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (at >= failAt) return controller.error(new Error('org/model/onnx/x: the download was cut off'));
          if (at >= FILE.length) return controller.close();
          controller.enqueue(FILE.slice(at, at + 1024));
          at += 1024;
          log.sent = at;
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(status === 200 ? body : null, { status, headers: { 'Content-Length': String(FILE.length) } });
  };
  return { fetch, log };
}

const bytesOf = async (blob: Blob | undefined) => new Uint8Array(await blob!.arrayBuffer());

describe('cachedBlob', () => {
  const saved = (globalThis as { caches?: unknown }).caches;
  beforeAll(() => {
    (globalThis as { caches?: unknown }).caches = { open: async () => cache };
  });
  afterAll(() => {
    (globalThis as { caches?: unknown }).caches = saved;
  });

  it('downloads a file into the cache once, with progress, and answers later calls from it', async () => {
    const { fetch, log } = server();
    const progress: number[] = [];
    const blob = await cachedBlob(URL_OF('a.onnx_data'), fetch, (loaded, total) => {
      expect(total).toBe(FILE.length);
      progress.push(loaded);
    });
    expect(await bytesOf(blob)).toEqual(FILE);
    expect(cache.kept.get(URL_OF('a.onnx_data'))).toEqual(FILE);
    expect(progress.at(-1)).toBe(FILE.length);
    expect(await bytesOf(await cachedBlob(URL_OF('a.onnx_data'), fetch))).toEqual(FILE);
    expect(log.requests).toBe(1);
  });

  it('a download that fails part-way rejects with its own error and leaves nothing cached', async () => {
    const { fetch } = server(8 * 1024);
    await expect(cachedBlob(URL_OF('b.onnx_data'), fetch)).rejects.toThrow('the download was cut off');
    expect(cache.kept.has(URL_OF('b.onnx_data'))).toBe(false);
  });

  it('a server error names the file and the status', async () => {
    const { fetch } = server(Number.POSITIVE_INFINITY, 404);
    await expect(cachedBlob(URL_OF('c.onnx_data'), fetch)).rejects.toThrow('org/model/onnx/c.onnx_data: the server answered 404');
  });

  // Last: a refusal is remembered for the rest of the worker's life.
  it('a file the cache refuses: undefined after a part of the download; later files skip the cache without downloading', async () => {
    cache.limit = 16 * 1024;
    const first = server();
    expect(await cachedBlob(URL_OF('d.onnx_data'), first.fetch)).toBeUndefined();
    expect(first.log.sent).toBeLessThan(FILE.length / 2);
    expect(cache.kept.has(URL_OF('d.onnx_data'))).toBe(false);
    const later = server();
    expect(await cachedBlob(URL_OF('e.onnx_data'), later.fetch)).toBeUndefined();
    expect(later.log.requests).toBe(0);
    // What the cache holds is still answered from it.
    expect(await bytesOf(await cachedBlob(URL_OF('a.onnx_data'), later.fetch))).toEqual(FILE);
  });
});
