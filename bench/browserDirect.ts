/**
 * Bundled by bench/browser.ts and run in a dedicated Web Worker of the built
 * app's origin: transformers.js alone loading the demo pair's tokenizer and both
 * models (wasm) and running one text through each, with no project code. The
 * floor under the app's "load → first aligned tokens".
 */
import { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';

/** `threads`: onnxruntime's, as the app picks them (src/worker/workerOptions.ts), so that both run on as many cores. */
async function directLoad(wasmPaths: { mjs: string; wasm: string }, text: string, threads: number): Promise<{ loadMs: number; firstMs: number }> {
  const started = performance.now();
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = '/models/'; // root-relative: an absolute URL would count as remote
  const onnxWasm = env.backends.onnx.wasm;
  if (onnxWasm) {
    onnxWasm.wasmPaths = wasmPaths;
    onnxWasm.numThreads = threads;
  }
  const options = { device: 'wasm' as const, dtype: 'fp32' as const };
  const [tokenizer, embed, base] = await Promise.all([
    AutoTokenizer.from_pretrained('demo/embed'),
    AutoModel.from_pretrained('demo/embed', options),
    AutoModel.from_pretrained('demo/base', options),
  ]);
  const loadMs = performance.now() - started;
  const inputs = tokenizer([text], { add_special_tokens: false });
  await Promise.all([
    embed({ input_ids: inputs.input_ids, attention_mask: inputs.attention_mask }),
    base({ input_ids: inputs.input_ids, attention_mask: inputs.attention_mask }),
  ]);
  return { loadMs, firstMs: performance.now() - started };
}

(globalThis as unknown as { directLoad: typeof directLoad }).directLoad = directLoad;
