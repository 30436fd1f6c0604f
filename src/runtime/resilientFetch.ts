import { concatBytes } from '../core/bytes';
/** The fetch signature every wrapper in this folder takes and returns. */
export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A download that went wrong, named by file and cause, so the user reads one
 * sentence instead of a parser's complaint about the bytes it was handed.
 */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly kind: 'server' | 'cut-off' | 'bad-content' | 'unreachable',
    readonly url: string,
  ) {
    super(message);
  }
}

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

/** `…/{org}/{name}/resolve/{rev}/{file}` → `org/name: file` (else the URL's path): how messages name a file. */
export function describeUrl(url: string): string {
  const path = new URL(url, 'http://x').pathname;
  const hub = /^\/?(?:.*\/)?([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(path);
  return hub ? `${decodeURIComponent(hub[1])}: ${decodeURIComponent(hub[2])}` : decodeURIComponent(path.replace(/^\//, ''));
}

/**
 * The Hub's fetch, made to survive what the Hub and its CDN do now and then:
 * - 429/500/502/503/504 and dropped connections are retried with exponential backoff, then reported;
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
    const what = describeUrl(url);
    let response: Response | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        response = await fetchImpl(input, init);
      } catch (error) {
        if (init?.signal?.aborted) throw error;
        if (attempt >= Math.min(retries, 1)) {
          throw new DownloadError(`${what}: could not connect (${(error as Error).message || 'network error'}): offline or unreachable.`, 'unreachable', url);
        }
        await sleep(baseDelay);
        continue;
      }
      if (!RETRYABLE.has(response.status)) break;
      await response.body?.cancel().catch(() => undefined);
      if (attempt >= retries) {
        throw new DownloadError(
          `${what}: the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''} ${attempt + 1} times (retried with backoff). Try again later.`,
          'server',
          url,
        );
      }
      const retryAfter = Number(response.headers.get('Retry-After'));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : baseDelay * 2 ** attempt);
    }
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' || !response.ok || !response.body) return response;
    const isRange = new Headers(init?.headers).has('Range');
    return new Response(checkedBody(response, url, what, isRange ? undefined : options.onDownloaded), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** The body, passed through chunk by chunk, failing if it ends short or is not what its name says. */
function checkedBody(response: Response, url: string, what: string, onDownloaded?: (url: string) => void): ReadableStream<Uint8Array> {
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
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, message: string, kind: DownloadError['kind']) => {
    controller.error(new DownloadError(message, kind, url));
    void reader.cancel().catch(() => undefined);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          return fail(controller, cutOff(what, loaded, expected, (error as Error).message), 'cut-off');
        }
        if (chunk.done) {
          if (checkLength && loaded < expected) return fail(controller, cutOff(what, loaded, expected), 'cut-off');
          if (isJson) {
            const problem = jsonProblem(jsonChunks, htmlType);
            if (problem) return fail(controller, `${what} is ${problem}: the server sent something else than the file (a proxy or error page?).`, 'bad-content');
          }
          onDownloaded?.(url);
          controller.close();
          return;
        }
        const value = chunk.value;
        if (loaded === 0 && (htmlType || looksLikeHtml(value)) && (isJson || isOnnx)) {
          return fail(controller, `${what} is an HTML page, not ${isJson ? 'JSON' : 'an ONNX model'}: the server sent a web page instead of the file (a proxy or error page?).`, 'bad-content');
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

function cutOff(what: string, loaded: number, expected: number, cause?: string): string {
  const of = Number.isFinite(expected) ? ` of ${expected.toLocaleString('en')}` : '';
  return `${what}: the download was cut off after ${loaded.toLocaleString('en')}${of} bytes${cause ? ` (${cause})` : ''}. Nothing of it was kept; load again to retry.`;
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

