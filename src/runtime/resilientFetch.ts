import { concatBytes } from '../core/bytes';
import { causeText, Fault } from './faults';
import { faultOfAnswer, RETRYABLE } from './hubAnswers';

/** The fetch signature every wrapper in this folder takes and returns. */
export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface ResilientFetchOptions {
  /** Retries of one request, whatever went wrong: a 429/5xx, a dropped connection, a cut or stalled body, a page in a file's place (default 3). */
  retries?: number;
  /** First backoff; doubles each retry (default 500 ms). A 429/503's Retry-After wins, up to maxRetryAfterMs. */
  baseDelayMs?: number;
  /** The longest Retry-After honoured (default 10 s): a server asking for more is reported rather than waited for. */
  maxRetryAfterMs?: number;
  /** No header, or no byte of the body, for this long: the request is dropped and retried (default 30 s). */
  stallMs?: number;
  /** Told of every whole file that came from the network (not Range reads): what a failed load must forget. */
  onDownloaded?: (url: string) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * The defaults, which Node may override through the environment (tests shorten them, so a stalled
 * download takes seconds there): LENS_FETCH_RETRY_MS (first backoff), LENS_FETCH_STALL_MS.
 */
export function fetchDefaults(): Required<Pick<ResilientFetchOptions, 'retries' | 'baseDelayMs' | 'maxRetryAfterMs' | 'stallMs'>> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const number = (value: string | undefined, otherwise: number) => (value && Number.isFinite(Number(value)) ? Number(value) : otherwise);
  return {
    retries: 3,
    baseDelayMs: number(env.LENS_FETCH_RETRY_MS, 500),
    maxRetryAfterMs: 10_000,
    stallMs: number(env.LENS_FETCH_STALL_MS, 30_000),
  };
}

/** How long a stall timer waits once more before it decides: see read() in Download.body. */
const LATE_TIMER_GRACE_MS = 20;

/** Why one attempt was dropped: the server stopped sending. */
class Stalled extends Error {}

/**
 * The Hub's fetch, made to survive what the Hub and its CDN do now and then. Every request has `retries`
 * retries, whatever went wrong, each after a backoff (or the server's Retry-After):
 * - 429/500/502/503/504 and a connection dropped before any header: asked again;
 * - a body that ends short of its Content-Length, or stops for `stallMs`: resumed where it stopped with a
 *   Range request (the Hub and its CDN honour Range), so the caller reads one whole body;
 * - an HTML page in a model file's place (a proxy or captive portal): asked again;
 * and when the retries are spent, a Fault (faults.ts) named by the file: a user reads one sentence, not a
 * parser's complaint about the bytes. A body that fails errors its stream, so no cache stores it (the Cache
 * API and transformers.js' file cache drop an entry whose body errors). A `.json` that is not JSON fails the same way.
 * Hub answers that say what is wrong (401 RepoNotFound/GatedRepo, 404 RevisionNotFound) become their Fault at once
 * (hubAnswers.ts), as does a 404 for a file a model cannot do without; other 404s pass, as transformers.js
 * asks for optional files. The caller's AbortSignal ends everything at once, backoffs included.
 */
export function resilientFetch(fetchImpl: Fetch, options: ResilientFetchOptions = {}): Fetch {
  const settings = { ...fetchDefaults(), ...options };
  const sleep = options.sleep ?? abortableSleep;
  return (input, init) => new Download(fetchImpl, typeof input === 'string' ? input : input.toString(), init, settings, sleep).response();
}

type Settings = Required<Pick<ResilientFetchOptions, 'retries' | 'baseDelayMs' | 'maxRetryAfterMs' | 'stallMs'>> & ResilientFetchOptions;

/** One request and its retries; the body it hands on is read, resumed and checked here. */
class Download {
  private attempt = 0;
  private readonly signal?: AbortSignal;
  private readonly method: string;
  /** The Range the caller asked for, if any: [start, end or undefined]. */
  private readonly range?: [number, number | undefined];

  constructor(
    private readonly fetchImpl: Fetch,
    private readonly url: string,
    private readonly init: RequestInit | undefined,
    private readonly settings: Settings,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ) {
    this.signal = init?.signal ?? undefined;
    this.method = (init?.method ?? 'GET').toUpperCase();
    const asked = /^bytes=(\d+)-(\d*)$/.exec(new Headers(init?.headers).get('Range') ?? '');
    if (asked) this.range = [Number(asked[1]), asked[2] ? Number(asked[2]) : undefined];
  }

  async response(): Promise<Response> {
    for (;;) {
      const { response, drop } = await this.open(0);
      if (this.method !== 'GET' || !response.ok || !response.body) return response;
      // The first bytes decide whether this is the file at all, before the caller sees a status (a Range read
      // answered 200 with a page would look like a server without Range support).
      const reader = response.body.getReader();
      const first = await this.read(reader, 0, Number.NaN);
      if ('value' in first && first.value && isHtml(response, first.value, this.url)) {
        drop(undefined);
        void reader.cancel().catch(() => undefined);
        await this.retry(() => new Fault('bad-content', { url: this.url, detail: `an HTML page, not ${fileKind(this.url)}` }));
        continue;
      }
      return new Response(this.body(response, drop, reader, first), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
  }

  /** The next chunk of `reader`, or why it stopped: nothing for stallMs, or the body ended short of `expected` or failed. */
  private async read(reader: ReadableStreamDefaultReader<Uint8Array>, loaded: number, expected: number): Promise<Chunk> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A timer that fires after the event loop was busy (a large JSON parsed, a session built) may fire before
    // the bytes that arrived meanwhile are read: one more turn of the loop lets them win the race.
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => {
        timer = setTimeout(() => resolve('stalled'), LATE_TIMER_GRACE_MS);
      }, this.settings.stallMs);
    });
    try {
      const next = reader.read();
      next.catch(() => undefined); // a stalled read is rejected later, when its attempt is dropped
      const chunk = await Promise.race([next, stalled]);
      if (chunk === 'stalled') return { stopped: 'stalled' };
      if (chunk.done && Number.isFinite(expected) && loaded < expected) return { stopped: 'cut-off' };
      return chunk;
    } catch (error) {
      return { stopped: 'cut-off', error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits before the next attempt, or reports `fault` when the retries are spent. */
  private async retry(fault: () => Fault, after?: number): Promise<void> {
    if (this.attempt >= this.settings.retries) throw fault();
    await this.sleep(after ?? this.settings.baseDelayMs * 2 ** this.attempt, this.signal);
    this.attempt++;
  }

  /**
   * A response with headers, from byte `from` of what the caller asked for, retried until the status is not
   * one to retry; `drop` ends that attempt's connection (its body then errors).
   */
  private async open(from: number): Promise<{ response: Response; drop: (reason: unknown) => void }> {
    for (;;) {
      const attempt = new AbortController();
      const stopAttempt = () => attempt.abort(this.signal?.reason);
      this.signal?.addEventListener('abort', stopAttempt, { once: true });
      const headers = new Headers(this.init?.headers);
      if (from > 0 || this.range) headers.set('Range', `bytes=${(this.range?.[0] ?? 0) + from}-${this.range?.[1] ?? ''}`);
      const stall = setTimeout(() => attempt.abort(new Stalled()), this.settings.stallMs);
      let response: Response;
      try {
        response = await this.fetchImpl(this.url, { ...this.init, headers, signal: attempt.signal });
      } catch (error) {
        this.signal?.removeEventListener('abort', stopAttempt);
        if (this.signal?.aborted) throw this.signal.reason ?? error;
        const stalled = attempt.signal.reason instanceof Stalled;
        await this.retry(() =>
          stalled
            ? new Fault('stalled', { url: this.url, loaded: from, seconds: this.settings.stallMs / 1000 })
            : new Fault('unreachable', { url: this.url, detail: causeText(error) ?? 'network error', cause: error }),
        );
        continue;
      } finally {
        clearTimeout(stall);
      }
      const drop = (reason: unknown) => {
        this.signal?.removeEventListener('abort', stopAttempt);
        attempt.abort(reason);
      };
      const answered = faultOfAnswer(this.url, response);
      if (answered) {
        drop(undefined);
        throw answered;
      }
      if (RETRYABLE.has(response.status)) {
        await response.body?.cancel().catch(() => undefined);
        drop(undefined);
        await this.retry(
          () => new Fault('server', { url: this.url, status: response.status, statusText: response.statusText, attempts: this.attempt + 1 }),
          this.retryAfter(response),
        );
        continue;
      }
      return { response, drop };
    }
  }

  /** The server's Retry-After in ms (seconds or an HTTP date), at most maxRetryAfterMs; undefined without one. */
  private retryAfter(response: Response): number | undefined {
    const value = response.headers.get('Retry-After');
    if (value === null || value.trim() === '') return undefined;
    const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now();
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), this.settings.maxRetryAfterMs) : undefined;
  }

  /** The body, passed on chunk by chunk from `firstChunk` on; resumed where a cut or a stall stopped it; failing if it cannot be had whole. */
  private body(
    first: Response,
    firstDrop: (reason: unknown) => void,
    firstReader: ReadableStreamDefaultReader<Uint8Array>,
    firstChunk: Chunk,
  ): ReadableStream<Uint8Array> {
    const url = this.url;
    // A compressed body's length differs from Content-Length: only check (and resume) identity encodings.
    const expected = first.headers.get('Content-Encoding') ? Number.NaN : Number(first.headers.get('Content-Length') ?? Number.NaN);
    const isJson = new URL(url, 'http://x').pathname.endsWith('.json');
    const jsonChunks: Uint8Array[] = [];
    let drop = firstDrop;
    let reader = firstReader;
    let pending: Chunk | undefined = firstChunk;
    let loaded = 0;
    /** Bytes of a resumed body to skip: a server that ignored the resuming Range sent the file from its start. */
    let skip = 0;

    const fail = (controller: ReadableStreamDefaultController<Uint8Array>, fault: Fault) => {
      controller.error(fault);
      drop(fault);
    };
    /** Drops this attempt and opens the next one at `loaded`, or fails when the retries are spent. */
    const resume = async (why: 'stalled' | 'cut-off', error?: unknown): Promise<void> => {
      drop(new Stalled());
      void reader.cancel().catch(() => undefined);
      if (this.signal?.aborted) throw this.signal.reason;
      await this.retry(() =>
        why === 'stalled'
          ? new Fault('stalled', { url, loaded, total: expected, seconds: this.settings.stallMs / 1000 })
          : new Fault('cut-off', { url, loaded, total: expected, detail: causeText(error), cause: error }),
      );
      const next = await this.open(loaded);
      drop = next.drop;
      const { status, headers, body } = next.response;
      // 206 from where it stopped; a 200 is the whole file again (a server without Range support).
      const resumedAt = Number(/^bytes (\d+)-/.exec(headers.get('Content-Range') ?? '')?.[1] ?? Number.NaN) - (this.range?.[0] ?? 0);
      if (status === 206 && resumedAt === loaded && body) skip = 0;
      else if (status === 200 && !this.range && body) skip = loaded;
      else throw new Fault('cut-off', { url, loaded, total: expected, detail: `could not resume: the server answered ${status}` });
      reader = body.getReader();
    };

    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          for (;;) {
            const chunk = pending ?? (await this.read(reader, loaded, expected));
            pending = undefined;
            try {
              if ('stopped' in chunk) {
                await resume(chunk.stopped, chunk.error);
                continue;
              }
              if (chunk.done) {
                if (Number.isFinite(expected) && loaded < expected) {
                  await resume('cut-off');
                  continue;
                }
                if (isJson) {
                  const problem = jsonProblem(jsonChunks);
                  if (problem) return fail(controller, new Fault('bad-content', { url, detail: problem }));
                }
                this.settings.onDownloaded?.(url);
                drop(undefined);
                controller.close();
                return;
              }
              let value = chunk.value;
              if (skip > 0) {
                const skipped = Math.min(skip, value.byteLength);
                skip -= skipped;
                value = value.subarray(skipped);
                if (value.byteLength === 0) continue;
              }
              loaded += value.byteLength;
              if (isJson) jsonChunks.push(value);
              controller.enqueue(value);
              return;
            } catch (error) {
              if (this.signal?.aborted) {
                // The caller's own abort: its reason, not a fault of the download.
                controller.error(this.signal.reason);
                return drop(this.signal.reason);
              }
              return fail(
                controller,
                error instanceof Fault ? error : new Fault('cut-off', { url, loaded, total: expected, detail: causeText(error), cause: error }),
              );
            }
          }
        },
        cancel: (reason) => {
          drop(reason);
          return reader.cancel(reason).catch(() => undefined);
        },
      },
      { highWaterMark: 0 },
    );
  }
}

/** Model files an HTML page cannot be: a page in their place is a proxy's or a portal's. */
const MODEL_FILE = /\.(json|onnx|onnx_data(_\d+)?|safetensors|bin|txt)$/;
/** Files whose first bytes are text or a protobuf tag, so a page's first bytes tell; a safetensors file's own check says more. */
const SNIFFED_FILE = /\.(json|onnx)$/;

type Chunk = ReadableStreamReadResult<Uint8Array> | { stopped: 'stalled' | 'cut-off'; error?: unknown };

function isHtml(response: Response, first: Uint8Array, url: string): boolean {
  if (!MODEL_FILE.test(new URL(url, 'http://x').pathname)) return false;
  if ((response.headers.get('Content-Type') ?? '').includes('text/html')) return true;
  if (!SNIFFED_FILE.test(new URL(url, 'http://x').pathname)) return false;
  const start = new TextDecoder().decode(first.subarray(0, 64)).trimStart().toLowerCase();
  return start.startsWith('<!doctype') || start.startsWith('<html');
}

function fileKind(url: string): string {
  const path = new URL(url, 'http://x').pathname;
  if (path.endsWith('.json')) return 'JSON';
  if (path.endsWith('.onnx')) return 'an ONNX model';
  return 'the file';
}

function jsonProblem(chunks: Uint8Array[]): string | undefined {
  const text = new TextDecoder().decode(concatBytes(chunks));
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    return text.trimStart().startsWith('<') ? 'an HTML page, not JSON' : `not valid JSON (it starts with ${JSON.stringify(text.slice(0, 20))})`;
  }
}

/** Waits `ms`, or rejects at once when `signal` aborts. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}
