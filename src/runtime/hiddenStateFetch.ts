import { StreamingNodeReader } from '../core/onnx/graph';
import { patchForNodes } from '../core/onnx/patch';
import type { Fetch } from './resilientFetch';

/** Bytes of the stream's end kept to recognise a file that already carries the patch (~130 bytes per tapped layer). */
const TAIL = 65536;

/**
 * A fetch that gives every logits-only `.onnx` it downloads a `last_hidden_state`
 * output (core/onnx/patch.ts), so a causal-LM export from the Hub can be a base
 * model: the PC analysis needs its final-norm hidden state, not its logits. Every
 * decoder body also gains its layers' residual stream and final-norm tensors (the
 * layer view), or a scalar output whose name says why its graph defeats that.
 *
 * The body streams through unchanged (transformers.js keeps its progress bar)
 * while a StreamingNodeReader reads the node list at the file's start, keeping
 * no bytes once the weights begin; at the end, when the graph returns logits
 * only, the patch follows as one more chunk. transformers.js grows its buffer
 * past Content-Length and caches what it read (a cached model is patched
 * already; a file that ends with the patch is left as it is). Bodies exported with
 * their own layer outputs (the demo pair), Range reads and other files pass as they are.
 */
export function hiddenStateFetch(fetchImpl: Fetch): Fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const url = typeof input === 'string' ? input : input.toString();
    const isRange = new Headers(init?.headers).has('Range');
    if (!response.ok || response.status !== 200 || isRange || !response.body || !new URL(url, 'http://x').pathname.endsWith('.onnx')) {
      return response;
    }
    const nodes = new StreamingNodeReader();
    let tail: Uint8Array = new Uint8Array(0);
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done, value } = await reader.read();
          if (!done) {
            try {
              nodes.push(value);
            } catch {
              nodes.done = true; // not an ONNX model: onnxruntime will say so in its own words
            }
            tail = lastBytes(tail, value, TAIL);
            controller.enqueue(value);
            return;
          }
          const patch = patchForNodes(nodes.nodes);
          if (patch && !endsWith(tail, patch)) controller.enqueue(patch);
          controller.close();
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** The last `n` bytes of `before` followed by `chunk`. */
function lastBytes(before: Uint8Array, chunk: Uint8Array, n: number): Uint8Array {
  if (chunk.length >= n) return chunk.slice(chunk.length - n);
  const out = new Uint8Array(Math.min(n, before.length + chunk.length));
  out.set(before.subarray(before.length - (out.length - chunk.length)));
  out.set(chunk, out.length - chunk.length);
  return out;
}

function endsWith(bytes: Uint8Array, suffix: Uint8Array): boolean {
  if (suffix.length > bytes.length) return false;
  const offset = bytes.length - suffix.length;
  return suffix.every((b, i) => bytes[offset + i] === b);
}
