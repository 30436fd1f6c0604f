import { Fault } from './faults';
import type { Fetch } from './resilientFetch';

/**
 * A fetch for the app's own model files that asks for headers first and
 * downloads the body only when someone reads it.
 *
 * Why: transformers.js sizes each local file with a full GET before it loads
 * it with a second GET (its metadata check reads only the headers), so every
 * `model.onnx` crossed the wire twice. Here the first request is a HEAD and the
 * GET starts on the first read of `response.body`.
 *
 * Only plain GETs of URLs under `root` (an absolute URL) are deferred; Range requests, other
 * methods and other URLs go straight to `fetchImpl`. A server that refuses HEAD
 * (405/501) gets an ordinary GET.
 */
export function lazyBodyFetch(fetchImpl: Fetch, root: string): Fetch {
  return async (input, init) => {
    // transformers.js asks for local files by root-relative path; `root` is absolute.
    const url = new URL(input, root).href;
    const headers = new Headers(init?.headers);
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' || headers.has('Range') || !url.startsWith(root)) return fetchImpl(input, init);
    const head = await fetchImpl(input, { ...init, method: 'HEAD' });
    if (head.status === 405 || head.status === 501) return fetchImpl(input, init);
    if (!head.ok) return new Response(null, { status: head.status, statusText: head.statusText, headers: head.headers });
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          if (!reader) {
            const response = await fetchImpl(input, init);
            if (!response.ok || !response.body) {
              controller.error(new Fault('server', { url, status: response.status, statusText: response.statusText }));
              return;
            }
            reader = response.body.getReader();
          }
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (reason) => reader?.cancel(reason),
        // highWaterMark 0: no read-ahead, so nothing is fetched until the first read.
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: head.status, statusText: head.statusText, headers: head.headers });
  };
}
