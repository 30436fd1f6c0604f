import { concatBytes } from '../core/bytes';
import { causeText, Fault } from './faults';
/** The fetch signature every wrapper in this folder takes and returns. */
export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface ResilientFetchOptions {
  /** Retries after a 429/5xx or a dropped connection (default 3). */
  retries?: number;
  /** First backoff; doubles each retry (default 500 ms). A 429's Retry-After wins, up to 10 s. */
  baseDelayMs?: number;
  /** Told of every whole file that came from the network (not Range reads): what a failed load must forget. */
  onDownloaded?: (url: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/**
 * The Hub's fetch, made to survive what the Hub and its CDN do now and then:
 * - 429/500/502/503/504 and dropped connections are retried with exponential backoff, then reported
 *   (a Fault, faults.ts, named by the file: a user reads one sentence, not a parser's complaint about the bytes);
 * - a body shorter than its Content-Length (a download cut off) fails the stream instead of ending it,
 *   so no cache stores the truncated file (the Cache API and transformers.js' file cache both drop an
 *   entry whose body errors);
 * - a `.json` file that is an HTML page or not JSON, and an `.onnx` file that starts like an HTML page,
 *   fail the stream the same way, naming the file.
 * 404s and other answers pass through: transformers.js asks for optional files and expects them.
 */
export function resilientFetch(fetchImpl: Fetch, options: ResilientFetchOptions = {}): Fetch {
  const retries = options.retries ?? 3;
  const baseDelay = options.baseDelayMs ?? 500;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  return async (input, init) => {
    const url = typeof input === 'string' ? input : input.toString();
    let response: Response | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        response = await fetchImpl(input, init);
      } catch (error) {
        if (init?.signal?.aborted) throw error;
        if (attempt >= Math.min(retries, 1)) {
          throw new Fault('unreachable', { url, detail: causeText(error) ?? 'network error', cause: error });
        }
        await sleep(baseDelay);
        continue;
      }
      if (!RETRYABLE.has(response.status)) break;
      await response.body?.cancel().catch(() => undefined);
      if (attempt >= retries) {
        throw new Fault('server', { url, status: response.status, statusText: response.statusText, attempts: attempt + 1 });
      }
      const retryAfter = Number(response.headers.get('Retry-After'));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : baseDelay * 2 ** attempt);
    }
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' || !response.ok || !response.body) return response;
    const isRange = new Headers(init?.headers).has('Range');
    return new Response(checkedBody(response, url, isRange ? undefined : options.onDownloaded), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** The body, passed through chunk by chunk, failing if it ends short or is not what its name says. */
function checkedBody(response: Response, url: string, onDownloaded?: (url: string) => void): ReadableStream<Uint8Array> {
  const expected = Number(response.headers.get('Content-Length') ?? Number.NaN);
  // A compressed body's length differs from Content-Length: only check identity encodings.
  const checkLength = Number.isFinite(expected) && !response.headers.get('Content-Encoding');
  const path = new URL(url, 'http://x').pathname;
  const isJson = path.endsWith('.json');
  const isOnnx = path.endsWith('.onnx');
  const htmlType = (response.headers.get('Content-Type') ?? '').includes('text/html');
  const jsonChunks: Uint8Array[] = [];
  const reader = response.body!.getReader();
  let loaded = 0;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, fault: Fault) => {
    controller.error(fault);
    void reader.cancel().catch(() => undefined);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          return fail(controller, new Fault('cut-off', { url, loaded, total: expected, detail: causeText(error), cause: error }));
        }
        if (chunk.done) {
          if (checkLength && loaded < expected) return fail(controller, new Fault('cut-off', { url, loaded, total: expected }));
          if (isJson) {
            const problem = jsonProblem(jsonChunks, htmlType);
            if (problem) return fail(controller, new Fault('bad-content', { url, detail: problem }));
          }
          onDownloaded?.(url);
          controller.close();
          return;
        }
        const value = chunk.value;
        if (loaded === 0 && (htmlType || looksLikeHtml(value)) && (isJson || isOnnx)) {
          return fail(controller, new Fault('bad-content', { url, detail: `an HTML page, not ${isJson ? 'JSON' : 'an ONNX model'}` }));
        }
        loaded += value.byteLength;
        if (isJson) jsonChunks.push(value);
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const start = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  return start.startsWith('<!doctype') || start.startsWith('<html');
}

function jsonProblem(chunks: Uint8Array[], htmlType: boolean): string | undefined {
  if (htmlType) return 'an HTML page, not JSON';
  const text = new TextDecoder().decode(concatBytes(chunks));
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    return text.trimStart().startsWith('<') ? 'an HTML page, not JSON' : `not valid JSON (it starts with ${JSON.stringify(text.slice(0, 20))})`;
  }
}
