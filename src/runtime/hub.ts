import { headerLength, NotSafetensorsError, parseHeader, type SafetensorsHeader, shardFor, tensorRange, tensorToHeadData } from '../core/safetensors';
import type { ProgressListener } from '../shared/files';
import { DEFAULT_HUB_URL, hubUrlProblem } from '../shared/hubUrl';
import { causeText, Fault } from './faults';
import { faultOfAnswer } from './hubAnswers';
import { resilientFetch } from './resilientFetch';

/**
 * The Hugging Face Hub's file layout, `{base}/{org}/{name}/resolve/{revision}/{file}`,
 * with the failures a user can meet thrown as Faults (faults.ts), whose messages say what to do.
 * The base URL is configurable, so tests run against a local server.
 */

export { DEFAULT_HUB_URL };

const MODEL_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface HubOptions {
  baseUrl?: string;
  revision?: string;
  fetch?: Fetch;
}

export class HubClient {
  readonly baseUrl: string;
  private readonly revision: string;
  private readonly doFetch: Fetch;

  constructor(options: HubOptions = {}) {
    this.baseUrl = HubClient.checkBaseUrl(options.baseUrl ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
    this.revision = options.revision ?? 'main';
    // Retries 429/5xx with backoff and fails a cut-off body (resilientFetch) unless the caller brings its own fetch.
    this.doFetch = options.fetch ?? resilientFetch((input, init) => fetch(input, init));
  }

  /** Only http(s) Hubs: a link must not point the app at `javascript:`, `file:`, `data:` or `ftp:` URLs. */
  static checkBaseUrl(url: string): string {
    const problem = hubUrlProblem(url);
    if (problem) throw new Fault('invalid-url', { url, detail: problem });
    return url;
  }

  static checkId(repo: string): void {
    if (!MODEL_ID.test(repo)) throw new Fault('invalid-id', { repo });
  }

  url(repo: string, file: string): string {
    return `${this.baseUrl}/${repo}/resolve/${this.revision}/${file}`;
  }

  private async request(repo: string, file: string, init?: RequestInit): Promise<Response> {
    HubClient.checkId(repo);
    const url = this.url(repo, file);
    let response: Response;
    try {
      response = await this.doFetch(url, init);
    } catch (error) {
      // resilientFetch's own Faults name the file and the cause; anything else (a caller's fetch) did not connect.
      if (error instanceof Fault) throw error;
      throw new Fault('unreachable', { url, repo, file, detail: causeText(error) ?? 'network error', cause: error });
    }
    if (response.ok) return response;
    await response.body?.cancel().catch(() => undefined);
    const { status, statusText } = response;
    const code = response.headers.get('X-Error-Code') ?? undefined;
    // The Hub's error codes first (hubAnswers.ts), the same words whichever fetch asked.
    const answered = faultOfAnswer(url, response);
    if (answered) throw answered;
    if (status === 404) throw new Fault('not-found', { url, repo, file, status, code });
    throw new Fault('server', { url, repo, file, status, statusText });
  }

  async exists(repo: string, file: string): Promise<boolean> {
    try {
      const response = await this.request(repo, file, { method: 'HEAD' });
      await response.body?.cancel();
      return true;
    } catch (error) {
      if (error instanceof Fault && error.kind === 'not-found') return false;
      throw error;
    }
  }

  /** A file's size in bytes (HEAD, following the redirect to the CDN), or undefined when it does not exist. */
  async size(repo: string, file: string): Promise<number | undefined> {
    try {
      const response = await this.request(repo, file, { method: 'HEAD' });
      await response.body?.cancel();
      return Number(response.headers.get('X-Linked-Size') ?? response.headers.get('Content-Length') ?? 0);
    } catch (error) {
      if (error instanceof Fault && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  async json<T = unknown>(repo: string, file: string): Promise<T> {
    const response = await this.request(repo, file);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Fault('bad-file', { repo, file, detail: `${repo}/${file} is not JSON (it starts with ${JSON.stringify(text.slice(0, 20))}).` });
    }
  }

  /** Bytes [start, end) of a file; refuses a server that ignores Range rather than download everything. */
  async range(repo: string, file: string, start: number, end: number, onProgress?: ProgressListener): Promise<Uint8Array> {
    const total = end - start;
    // The destination first: a tensor too large for this tab's memory fails here, before any download.
    let out: Uint8Array;
    try {
      out = new Uint8Array(total);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new Fault('too-large', { repo, file, total, detail: causeText(error), cause: error });
    }
    const response = await this.request(repo, file, { headers: { Range: `bytes=${start}-${end - 1}` } });
    if (response.status !== 206) {
      await response.body?.cancel();
      throw new Fault('no-range', { url: this.url(repo, file), repo, file, status: response.status });
    }
    // Content-Range: bytes a-b/size. A safetensors header whose offsets point past the file's end is corrupt.
    const size = Number(/\/(\d+)$/.exec(response.headers.get('Content-Range') ?? '')?.[1] ?? Number.NaN);
    if (end > size) {
      await response.body?.cancel();
      throw new Fault('bad-file', {
        repo,
        file,
        detail: `${repo}/${file}: asked for bytes ${start.toLocaleString('en')}–${end.toLocaleString('en')} but the file has ${size.toLocaleString('en')}: its safetensors header's offsets are wrong (a corrupt or truncated upload).`,
      });
    }
    const reader = response.body!.getReader();
    let loaded = 0;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (error instanceof Fault) throw error; // resilientFetch's cut-off, named by the file
        throw new Fault('cut-off', { repo, file, loaded, total, detail: causeText(error), cause: error });
      }
      const { done, value } = chunk;
      if (done) break;
      out.set(value.subarray(0, Math.max(0, total - loaded)), loaded);
      loaded += value.byteLength;
      onProgress?.({ file: `${repo}/${file}`, loaded: Math.min(loaded, total), total, done: false });
    }
    if (loaded < total) throw new Fault('cut-off', { repo, file, loaded, total });
    onProgress?.({ file: `${repo}/${file}`, loaded: total, total, done: true });
    return out;
  }

  async safetensorsHeader(repo: string, file: string): Promise<SafetensorsHeader> {
    try {
      const length = headerLength(await this.range(repo, file, 0, 8), `${repo}/${file}`);
      return parseHeader(await this.range(repo, file, 8, 8 + length), `${repo}/${file}`);
    } catch (error) {
      if (error instanceof NotSafetensorsError) throw new Fault('bad-file', { repo, file, detail: error.message, cause: error });
      throw error;
    }
  }
}

/**
 * Checks that each repo exists, is readable and holds a tokenizer, before
 * transformers.js starts (its own errors for a missing repo are cryptic).
 */
export async function checkHubRepos(client: HubClient, repos: readonly string[]): Promise<void> {
  for (const repo of new Set(repos)) {
    HubClient.checkId(repo);
    await client.json(repo, 'config.json');
    if (!(await client.exists(repo, 'tokenizer_config.json'))) {
      throw new Fault('bad-file', {
        repo,
        file: 'tokenizer_config.json',
        detail: `${repo} has no tokenizer_config.json: it is not a model transformers.js can load.`,
      });
    }
  }
}

export interface HubLmHead {
  data: Float32Array | Uint16Array;
  dtype: 'float32' | 'float16' | 'bfloat16';
  rows: number;
  cols: number;
  /** Which tensor and file it came from. */
  tensor: string;
  file: string;
}

/**
 * The generative model's LM head W from its safetensors, reading only that tensor:
 * `lm_head.weight`, or `model.embed_tokens.weight` when the config ties them
 * (Qwen3-0.6B-Base, GPT-Neo). Single-file and sharded checkpoints both work.
 */
export async function loadLmHeadFromHub(client: HubClient, repo: string, onProgress?: ProgressListener): Promise<HubLmHead> {
  const config = await client.json<{ tie_word_embeddings?: boolean }>(repo, 'config.json');
  const tied = config.tie_word_embeddings ?? false;
  const candidates = tied
    ? ['model.embed_tokens.weight', 'transformer.wte.weight', 'lm_head.weight']
    : ['lm_head.weight', 'model.embed_tokens.weight', 'transformer.wte.weight'];

  let files: string[];
  if (await client.exists(repo, 'model.safetensors')) files = ['model.safetensors'];
  else if (await client.exists(repo, 'model.safetensors.index.json')) {
    const index = await client.json(repo, 'model.safetensors.index.json');
    files = [...new Set(candidates.map((t) => shardFor(index, t)).filter((f): f is string => Boolean(f)))];
  } else {
    throw new Fault('not-found', { repo, detail: `${repo} has no model.safetensors (nor a sharded index): cannot read its LM head.` });
  }

  for (const file of files) {
    const header = await client.safetensorsHeader(repo, file);
    const tensor = candidates.find((t) => t in header.tensors);
    if (!tensor) continue;
    const info = header.tensors[tensor];
    if (info.shape.length !== 2) throw new Fault('bad-file', { repo, file, detail: `${repo}/${file}: ${tensor} has shape [${info.shape}], expected 2-D.` });
    const [start, end] = tensorRange(header, tensor);
    const bytes = await client.range(repo, file, start, end, onProgress);
    const { data, dtype } = tensorToHeadData(bytes, info.dtype);
    return { data, dtype, rows: info.shape[0], cols: info.shape[1], tensor, file };
  }
  throw new Fault('bad-file', { repo, detail: `${repo}: none of ${candidates.join(', ')} is in its safetensors.` });
}
