import { hiddenStatePatch } from '../core/onnxGraph';

type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that gives every logits-only `.onnx` it downloads a `last_hidden_state`
 * output (core/onnxGraph.ts), so a causal-LM export from the Hub can be a base
 * model: the PC analysis needs its final-norm hidden state, not its logits.
 *
 * The body streams through unchanged (transformers.js keeps its progress bar);
 * at the end the graph is read and, when it returns logits only, the patch
 * bytes follow as one more chunk. transformers.js grows its buffer past
 * Content-Length and caches what it read, so a cached model is patched already.
 * Models with hidden states of their own, Range reads and other files pass as they are.
 */
export function hiddenStateFetch(fetchImpl: Fetch): Fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const url = typeof input === 'string' ? input : input.toString();
    const isRange = new Headers(init?.headers).has('Range');
    if (!response.ok || response.status !== 200 || isRange || !response.body || !new URL(url, 'http://x').pathname.endsWith('.onnx')) {
      return response;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done, value } = await reader.read();
          if (!done) {
            chunks.push(value);
            size += value.length;
            controller.enqueue(value);
            return;
          }
          const model = new Uint8Array(size);
          let offset = 0;
          for (const chunk of chunks) {
            model.set(chunk, offset);
            offset += chunk.length;
          }
          chunks.length = 0;
          let patch: Uint8Array | undefined;
          try {
            patch = hiddenStatePatch(model);
          } catch {
            // Not parseable as ONNX: onnxruntime will say so in its own words when it loads it.
          }
          if (patch) controller.enqueue(patch);
          controller.close();
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
