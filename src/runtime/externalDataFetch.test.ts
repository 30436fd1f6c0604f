import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../core/bytes';
import { readGraph } from '../core/onnx/graph';
import { hiddenStatePatch } from '../core/onnx/patch';
import { BodySplitter } from './externalDataFetch';

ort.env.wasm.numThreads = 1;

const REPO = 'onnx-community/Qwen3-Embedding-0.6B-ONNX';
const FILE = 'onnx/model_quantized.onnx';
const BYTES = new Uint8Array(readFileSync('models/test-shapes/qwen3-vocab/embed/onnx/model_quantized.onnx'));
const URL_OF = (file: string) => `http://hub.test/${REPO}/resolve/main/${file}`;

/** A server that sends `bytes` in 1 kB pieces (cut short after `cutAt` bytes), counting requests. */
function server(bytes: Uint8Array, cutAt = Number.POSITIVE_INFINITY) {
  const requests: string[] = [];
  let sent = 0;
  const fetch = async (input: string | URL, init?: RequestInit) => {
    requests.push(`${init?.method ?? 'GET'} ${String(input)}${new Headers(init?.headers).has('Range') ? ' (range)' : ''}`);
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= Math.min(bytes.length, cutAt)) {
          if (cutAt < bytes.length) controller.error(new TypeError('network error'));
          else controller.close();
          return;
        }
        controller.enqueue(bytes.slice(at, at + 1024));
        at += 1024;
        sent = Math.min(at, bytes.length);
      },
    });
    return new Response(body, { status: 200, headers: { 'Content-Length': String(bytes.length) } });
  };
  return { fetch, requests, sent: () => sent };
}

const read = async (response: Response) => new Uint8Array(await response.arrayBuffer());

describe('BodySplitter', () => {
  it('answers file and file_data from one download; onnxruntime runs the pair as it runs the file', async () => {
    const { fetch, requests } = server(BYTES);
    const served: string[] = [];
    const splitter = new BodySplitter();
    splitter.expect(REPO, FILE);
    const wrapped = splitter.wrap(fetch, (url) => served.push(url));
    // transformers.js asks for both at once, the graph first.
    const [graphResponse, dataResponse] = await Promise.all([wrapped(URL_OF(FILE)), wrapped(URL_OF(`${FILE}_data`))]);
    expect(dataResponse.headers.get('Content-Length')).toBe(String(BYTES.length));
    const [graph, data] = await Promise.all([read(graphResponse), read(dataResponse)]);
    expect(Number(graphResponse.headers.get('Content-Length'))).toBe(graph.length);
    expect(requests).toEqual([`GET ${URL_OF(FILE)}`]);
    expect(data).toEqual(BYTES);
    expect(served).toEqual([URL_OF(`${FILE}_data`)]);

    const whole = await ort.InferenceSession.create(BYTES);
    const parts = await ort.InferenceSession.create(graph, { externalData: [{ path: 'model_quantized.onnx_data', data }] });
    const ids = new ort.Tensor('int64', BigInt64Array.from([3n, 14n, 15n]), [1, 3]);
    const feeds = {
      input_ids: ids,
      attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n]), [1, 3]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n]), [1, 3]),
    };
    const [a, b] = [await whole.run(feeds), await parts.run(feeds)];
    expect(Array.from(b.last_hidden_state.data as Float32Array)).toEqual(Array.from(a.last_hidden_state.data as Float32Array));
  });

  it('a causal LM body: its graph gains last_hidden_state and the layer taps, and loses logits with its LM head', async () => {
    const base = new Uint8Array(readFileSync('models/test-shapes/qwen3-vocab/base/onnx/model_quantized.onnx'));
    const { fetch } = server(base);
    const splitter = new BodySplitter();
    splitter.expect('onnx-community/Qwen3-0.6B-ONNX', FILE);
    const wrapped = splitter.wrap(fetch);
    const at = (file: string) => `http://hub.test/onnx-community/Qwen3-0.6B-ONNX/resolve/main/${file}`;
    const [graph, data] = await Promise.all([wrapped(at(FILE)).then(read), wrapped(at(`${FILE}_data`)).then(read)]);
    expect(data).toEqual(base);
    const { outputs, nodes } = readGraph(graph);
    expect(outputs).toContain('last_hidden_state');
    expect(outputs).not.toContain('logits');
    expect(outputs.some((o) => o.startsWith('embedding_lens/'))).toBe(true);
    expect(nodes.length).toBeLessThan(readGraph(base).nodes.length + 8);

    // The same hidden state as the whole file patched as before (hiddenStateFetch), logits and all.
    const patched = concatBytes([base, hiddenStatePatch(base)!]);
    const whole = await ort.InferenceSession.create(patched);
    const parts = await ort.InferenceSession.create(graph, { externalData: [{ path: 'model_quantized.onnx_data', data }] });
    expect(whole.outputNames).toContain('logits');
    expect(parts.outputNames).not.toContain('logits');
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of whole.inputMetadata) {
      if (!input.isTensor) continue;
      if (input.name.startsWith('past_key_values'))
        feeds[input.name] = new ort.Tensor('float32', new Float32Array(0), [1, input.shape[1] as number, 0, input.shape[3] as number]);
      else
        feeds[input.name] = new ort.Tensor(
          'int64',
          input.name === 'input_ids'
            ? BigInt64Array.from([7n, 151_000n, 42n])
            : input.name === 'position_ids'
              ? BigInt64Array.from([0n, 1n, 2n])
              : BigInt64Array.from([1n, 1n, 1n]),
          [1, 3],
        );
    }
    const [a, b] = [await whole.run(feeds), await parts.run(feeds)];
    for (const name of parts.outputNames) expect(Array.from(b[name].data as Float32Array)).toEqual(Array.from(a[name].data as Float32Array));
  });

  it('passes other files, Range reads and HEAD requests through untouched', async () => {
    const { fetch, requests } = server(BYTES);
    const splitter = new BodySplitter();
    splitter.expect(REPO, FILE);
    const wrapped = splitter.wrap(fetch);
    expect(await read(await wrapped(URL_OF('onnx/model_q4.onnx')))).toEqual(BYTES);
    await wrapped(URL_OF(FILE), { headers: { Range: 'bytes=0-9' } });
    await wrapped(URL_OF(FILE), { method: 'HEAD' });
    expect(requests).toEqual([`GET ${URL_OF('onnx/model_q4.onnx')}`, `GET ${URL_OF(FILE)} (range)`, `HEAD ${URL_OF(FILE)}`]);
  });

  it('a download cut off fails both answers, and nothing is reported as downloaded', async () => {
    const { fetch } = server(BYTES, 4096);
    const served: string[] = [];
    const splitter = new BodySplitter();
    splitter.expect(REPO, FILE);
    const wrapped = splitter.wrap(fetch, (url) => served.push(url));
    const graph = wrapped(URL_OF(FILE));
    const data = wrapped(URL_OF(`${FILE}_data`));
    await expect(graph).rejects.toThrow('network error');
    await expect(data.then(read)).rejects.toThrow('network error');
    expect(served).toEqual([]);
  });

  it('once file_data has a reader, the download goes at its pace; cancelled, the graph still arrives', async () => {
    const demo = new Uint8Array(readFileSync('models/demo/embed/onnx/model.onnx')); // 10 MB: 10,000 pieces
    const { fetch, sent } = server(demo);
    const splitter = new BodySplitter();
    splitter.expect(REPO, FILE);
    const wrapped = splitter.wrap(fetch);
    const graph = wrapped(URL_OF(FILE));
    const reader = (await wrapped(URL_OF(`${FILE}_data`))).body!.getReader();
    let read = 0;
    for (let i = 0; i < 20; i++) {
      read += (await reader.read()).value!.byteLength;
      await new Promise((resolve) => setTimeout(resolve, 5)); // a slow reader, e.g. a cache write to disk
      // Ahead of the reader: what arrived before its first read, then the data stream's queue (4 chunks).
      expect(sent() - read).toBeLessThanOrEqual(16 * 1024);
    }
    expect(sent()).toBeLessThan(64 * 1024);
    await reader.cancel();
    const split = new Uint8Array(await (await graph).arrayBuffer());
    expect(sent()).toBe(demo.length);
    expect(readGraph(split).outputs).toContain('last_hidden_state');
  });

  it('a file that is not an ONNX model fails with its name', async () => {
    const { fetch } = server(new TextEncoder().encode('<html><body>Bad gateway</body></html>'.repeat(10)));
    const splitter = new BodySplitter();
    splitter.expect(REPO, FILE);
    const wrapped = splitter.wrap(fetch);
    const data = wrapped(URL_OF(`${FILE}_data`)).then(read);
    await expect(wrapped(URL_OF(FILE))).rejects.toThrow(`${FILE} is not an ONNX model`);
    await expect(data).rejects.toThrow('not an ONNX model');
  });
});
