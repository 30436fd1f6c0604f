/**
 * Bundled by bench/realsize.ts and run in a dedicated Web Worker of the app's page: transformers.js alone
 * (no project code) loading the same two bodies from the same Hub in the same dtype, with the app's
 * onnxruntime-web WASM build, and running the same text through both, as the app's update does (embedder
 * on the templated text, base on the plain text; tokenizer included). The baseline for one update.
 */
import { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';

interface DirectRequest {
  hub: string;
  embed: string;
  base: string;
  dtype: 'q8' | 'q4f16' | 'fp32';
  template: string;
  texts: string[];
  paths: { mjs: string; wasm: string };
  /** onnxruntime's threads: the app's (src/worker/workerOptions.ts), so that both run on as many cores. */
  threads: number;
}

let loaded: { update(text: string): Promise<void>; dispose(): Promise<void> } | undefined;

/** Loads both bodies and their tokenizers with transformers.js alone, and runs one warm-up update. */
async function directLoad(request: DirectRequest): Promise<{ loadMs: number; tokens: number[] }> {
  const started = performance.now();
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = `${request.hub}/`;
  env.useWasmCache = false;
  // Not the app's cache: the app keeps split bodies there (a graph under the .onnx name, its weights as
  // .onnx_data; src/runtime/externalDataFetch.ts), which transformers.js alone would misread. From the server.
  env.useBrowserCache = false;
  const onnxWasm = env.backends.onnx.wasm;
  if (onnxWasm) {
    onnxWasm.wasmPaths = request.paths;
    onnxWasm.numThreads = request.threads;
  }
  const options = { device: 'wasm' as const, dtype: request.dtype, session_options: { graphOptimizationLevel: 'all' as const } };
  const [embedTokenizer, baseTokenizer, embed, base] = await Promise.all([
    AutoTokenizer.from_pretrained(request.embed),
    AutoTokenizer.from_pretrained(request.base),
    AutoModel.from_pretrained(request.embed, options),
    AutoModel.from_pretrained(request.base, options),
  ]);
  const loadMs = performance.now() - started;
  const update = async (text: string) => {
    const e = embedTokenizer([request.template.replace('{text}', text)], { add_special_tokens: true });
    const b = baseTokenizer([text], { add_special_tokens: true });
    await Promise.all([
      embed({ input_ids: e.input_ids, attention_mask: e.attention_mask }),
      base({ input_ids: b.input_ids, attention_mask: b.attention_mask }),
    ]);
  };
  loaded = { update, dispose: async () => void (await Promise.all([embed.dispose(), base.dispose()])) };
  await update(request.texts[0]); // warm-up: the app's measured updates also follow a first one
  const tokens = request.texts.map((text) => (baseTokenizer.encode(text, { add_special_tokens: false }) as number[]).length);
  return { loadMs, tokens };
}

/** One update (tokenizers + both bodies) on a text; ms. */
async function directUpdate(text: string): Promise<number> {
  if (!loaded) throw new Error('not loaded');
  const started = performance.now();
  await loaded.update(text);
  return performance.now() - started;
}

/** The worker's protocol (bench/realsize.ts stages this file as a module worker script). */
self.onmessage = async (event: MessageEvent) => {
  const { cmd, request, text } = event.data as { cmd: 'load' | 'update' | 'dispose'; request?: DirectRequest; text?: string };
  try {
    if (cmd === 'load') postMessage(await directLoad(request!));
    else if (cmd === 'update') postMessage(await directUpdate(text!));
    else {
      await loaded?.dispose();
      loaded = undefined;
      postMessage('disposed');
    }
  } catch (error) {
    postMessage(`transformers.js alone failed: ${(error as Error).message}`);
  }
};
