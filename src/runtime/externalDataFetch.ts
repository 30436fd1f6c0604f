import { concatBytes } from '../core/bytes';
import { ExternalDataSplitter, NotSplittableError } from '../core/externalData';
import { readGraph } from '../core/onnx/graph';
import { HIDDEN_STATE_OUTPUT, hiddenStatePatch, withoutOutputs } from '../core/onnx/patch';
import { type ExternalDataFile, externalDataChunk, externalDataFiles } from '../shared/dtypes';
import { Fault } from './faults';
import type { Fetch } from './resilientFetch';

/**
 * Hands onnxruntime-web a Hub body that is one `.onnx` file as graph + external data,
 * so its heap holds the weights once, not ~2.5 times (core/externalData.ts).
 *
 * The loader calls expect(repo, file) and tells transformers.js that the file has one
 * external data chunk; transformers.js then asks for `file` and `file_data` at once.
 * Both are answered from one download of `file`: `file_data` is the download itself,
 * streamed on as it arrives (its Content-Length is the file's, so transformers.js
 * fills one buffer of the right size), and `file` is the graph without its weights,
 * answered when the download ends. transformers.js caches both under their names, so
 * a later visit reads the same pair of files from the cache.
 *
 * The graph is also given what the app reads (hiddenStateFetch does the same for bodies
 * that are not split): a `last_hidden_state` output and the layer taps; a causal LM's
 * `logits` is then dropped with the LM head that made it (core/onnx/patch.ts withoutOutputs).
 */
export class BodySplitter {
  private readonly expected = new Set<string>();
  private readonly jobs = new Map<string, SplitJob>();

  /**
   * `file` of `repo` (e.g. onnx/model_quantized.onnx) is to be served as graph + `file_data`. Returns the
   * external data the loader must declare to transformers.js for it: the one chunk this splitter answers.
   */
  expect(repo: string, file: string): ExternalDataFile[] {
    this.expected.add(`${repo}/resolve/|${file}`);
    return externalDataFiles(file, 1);
  }

  /** A fetch that answers expected bodies as described above; `onDownloaded` hears each `…_data` served whole. */
  wrap(inner: Fetch, onDownloaded?: (url: string) => void): Fetch {
    return async (input, init) => {
      const url = typeof input === 'string' ? input : input.toString();
      const target = this.match(url, init);
      if (!target) return inner(input, init);
      let job = this.jobs.get(target.graphUrl);
      if (!job) {
        job = new SplitJob(target.graphUrl, target.file, inner, init, onDownloaded);
        this.jobs.set(target.graphUrl, job);
        const forget = () => {
          if (this.jobs.get(target.graphUrl) === job) this.jobs.delete(target.graphUrl);
        };
        job.graph.then(forget, forget);
      }
      return target.kind === 'graph' ? job.graph : job.data;
    };
  }

  private match(url: string, init?: RequestInit): { kind: 'graph' | 'data'; graphUrl: string; file: string } | undefined {
    if ((init?.method ?? 'GET').toUpperCase() !== 'GET' || new Headers(init?.headers).has('Range')) return undefined;
    const path = new URL(url, 'http://x').pathname;
    for (const key of this.expected) {
      const [repoPath, file] = key.split('|');
      if (!path.includes(`/${repoPath}`)) continue;
      if (path.endsWith(`/${file}`)) return { kind: 'graph', graphUrl: url, file };
      const data = externalDataChunk(file);
      if (path.endsWith(`/${data}`)) return { kind: 'data', graphUrl: url.slice(0, -data.length) + file, file };
    }
    return undefined;
  }
}

/**
 * One download of a body's `.onnx`, answered as its graph and as its `_data`. Once `_data` has a reader
 * (its body is locked), the download goes at that reader's pace (a cache write to disk may be slower
 * than the network): at most a few chunks wait in the page. Until then nothing holds the download back,
 * so a caller may wait for the graph (which needs the whole download) before it asks for `_data`'s body.
 */
class SplitJob {
  readonly graph: Promise<Response>;
  readonly data: Promise<Response>;

  constructor(graphUrl: string, file: string, inner: Fetch, init: RequestInit | undefined, onDownloaded?: (url: string) => void) {
    const name = file.split('/').pop()!;
    let data!: ReadableStreamDefaultController<Uint8Array>;
    let dataGone = false;
    let wake: (() => void) | undefined;
    // High-water mark 0: pull() means the reader has emptied the queue and waits for more.
    const dataBody = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          data = controller;
        },
        pull: () => wake?.(),
        cancel: () => {
          dataGone = true;
          wake?.();
        },
      },
      { highWaterMark: 0 },
    );
    const readerWants = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    const download = inner(graphUrl, init);
    this.data = download.then((response) =>
      response.ok && response.body
        ? new Response(dataBody, { status: 200, headers: sizeHeaders(response.headers.get('Content-Length')) })
        : new Response(null, { status: response.status, statusText: response.statusText }),
    );
    this.graph = download.then(async (response) => {
      if (!response.ok || !response.body) return response; // transformers.js reports the status
      const splitter = new ExternalDataSplitter(externalDataChunk(name));
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          splitter.push(value);
          if (dataGone) continue;
          data.enqueue(value);
          while (dataBody.locked && !dataGone && (data.desiredSize ?? 0) <= -AHEAD) await readerWants();
        }
        const graph = readableGraph(splitter.finish());
        if (!dataGone) data.close();
        onDownloaded?.(externalDataChunk(graphUrl));
        return new Response(graph as Uint8Array<ArrayBuffer>, { status: 200, headers: sizeHeaders(String(graph.length)) });
      } catch (error) {
        const failure =
          error instanceof NotSplittableError
            ? new Fault('bad-file', { url: graphUrl, file, detail: `${file} is not an ONNX model: ${error.message}.`, cause: error })
            : error;
        if (!dataGone) data.error(failure);
        void reader.cancel().catch(() => undefined);
        throw failure;
      }
    });
    // Either side may go unasked (read from the cache instead): its failure is the other side's to report.
    this.graph.catch(() => undefined);
    this.data.catch(() => undefined);
  }
}

/** Chunks of a split download that may wait for `_data`'s reader. */
const AHEAD = 4;

function sizeHeaders(length: string | null): Headers {
  const headers = new Headers({ 'Content-Type': 'application/octet-stream' });
  if (length) headers.set('Content-Length', length);
  return headers;
}

/** The split graph with what the app reads from a body added, and a causal LM's logits dropped. */
function readableGraph(split: Uint8Array): Uint8Array {
  const patch = hiddenStatePatch(split);
  const patched = patch ? concatBytes([split, patch]) : split;
  return readGraph(patched).outputs.includes(HIDDEN_STATE_OUTPUT) ? withoutOutputs(patched, ['logits']) : patched;
}
