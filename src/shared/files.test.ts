import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FileProgress, httpReader, TransientReadError } from './files';

/** A fetch that streams `bytes` in chunks of `chunk`, announcing `length` (or none). */
function fakeFetch(bytes: Uint8Array, chunk: number, length?: number) {
  return vi.fn(async () => {
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + chunk));
        offset += chunk;
      },
    });
    const headers = new Headers(length === undefined ? {} : { 'Content-Length': String(length) });
    return new Response(body, { status: 200, headers });
  });
}

describe('httpReader', () => {
  afterEach(() => vi.unstubAllGlobals());
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);

  for (const [name, length] of [
    ['announced size', 1000],
    ['no size', undefined],
    ['a wrong, smaller size (compressed)', 400],
    ['a wrong, larger size', 1500],
  ] as const) {
    it(`returns every byte with ${name}`, async () => {
      vi.stubGlobal('fetch', fakeFetch(bytes, 128, length));
      const progress: FileProgress[] = [];
      const buffer = await httpReader('http://localhost/models/')('x.bin', (p) => progress.push(p));
      expect(Array.from(new Uint8Array(buffer))).toEqual(Array.from(bytes));
      expect(progress.at(-1)).toMatchObject({ file: 'x.bin', loaded: 1000, done: true });
    });
  }

  it('a 503, a 429 or no connection is a TransientReadError (asking again may work); a 404 is not', async () => {
    const read = httpReader('http://localhost/models/');
    for (const status of [503, 500, 429]) {
      vi.stubGlobal(
        'fetch',
        vi.fn(async () => new Response('busy', { status })),
      );
      await expect(read('x.json')).rejects.toBeInstanceOf(TransientReadError);
    }
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    await expect(read('x.json')).rejects.toThrow(/Could not reach http:\/\/localhost\/models\/x.json/);
    await expect(read('x.json')).rejects.toBeInstanceOf(TransientReadError);
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('no', { status: 404, statusText: 'Not Found' })),
    );
    const missing = await read('x.json').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Error);
    expect(missing).not.toBeInstanceOf(TransientReadError);
    expect((missing as Error).message).toBe('x.json: the server answered 404 Not Found');
  });
});
