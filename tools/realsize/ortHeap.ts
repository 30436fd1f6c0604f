/**
 * How much memory onnxruntime-web (the tab's runtime, here in Node, one thread) holds for one model,
 * given as one buffer or as graph + external data: the process's resident size before, at the peak
 * and after the model's bytes are dropped (docs/benchmarks.md, "realsize").
 *
 *   npx tsx tools/realsize/ortHeap.ts <model.onnx> [<model.onnx_data>]
 *   (node --expose-gc lets it drop the bytes for the "after" figure: NODE_OPTIONS=--expose-gc)
 *
 * To try the external-data form of a single-file model: /usr/bin/python3 -c "import onnx; m = onnx.load('X.onnx');
 * onnx.save_model(m, 'Y.onnx', save_as_external_data=True, all_tensors_to_one_file=True, location='Y.onnx_data')".
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as ort from 'onnxruntime-web';

const [modelPath, dataPath] = process.argv.slice(2);
if (!modelPath) {
  process.stderr.write('usage: npx tsx tools/realsize/ortHeap.ts <model.onnx> [<model.onnx_data>]\n');
  process.exit(2);
}
ort.env.wasm.numThreads = 1;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
const status = (key: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);

let model: Uint8Array | undefined = readFileSync(modelPath);
let data: Uint8Array | undefined = dataPath ? readFileSync(dataPath) : undefined;
const bytes = model.length + (data?.length ?? 0);
console.log(`${basename(modelPath)}${dataPath ? ` + ${basename(dataPath)}` : ''}: ${mib(bytes / 1024)}; resident with the bytes read: ${mib(status('VmRSS'))}`);
const started = performance.now();
const session = await ort.InferenceSession.create(model, {
  graphOptimizationLevel: 'all',
  ...(data && dataPath ? { externalData: [{ path: basename(dataPath), data }] } : {}),
});
console.log(`session in ${(performance.now() - started).toFixed(0)} ms; resident ${mib(status('VmRSS'))}, peak ${mib(status('VmHWM'))}`);
model = undefined;
data = undefined;
(globalThis as { gc?: () => void }).gc?.();
await new Promise((resolve) => setTimeout(resolve, 500));
console.log(`bytes dropped: resident ${mib(status('VmRSS'))} (inputs: ${session.inputNames.length})`);
