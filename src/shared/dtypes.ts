/**
 * The dtype, in one place: the ONNX variants a model repo ships, as transformers.js names them
 * (`dtype` → `onnx/model{suffix}.onnx`, external data in `…onnx_data`, `…onnx_data_1`, …), which one
 * a pair loads on each device, and what "auto" means. runtime/plan.ts applies it to a pair's repos;
 * runtime/loadPair.ts hands the chosen files to transformers.js.
 */
export const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;
export type Dtype = (typeof DTYPES)[number];

const SUFFIX: Record<Dtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' };

/** `onnx/model_quantized.onnx` for q8, and so on. */
export const dtypeFile = (dtype: Dtype): string => `onnx/model${SUFFIX[dtype]}.onnx`;

export const isDtype = (value: unknown): value is Dtype => DTYPES.includes(value as Dtype);

/** One external data chunk of a graph: its name as the graph refers to it, and its path in the repo (as transformers.js fetches it). */
export interface ExternalDataFile {
  path: string;
  data: string;
}

/** The name of a graph's external data chunk `index`, beside the graph (a path, a file name or a URL): `model.onnx_data`, `model.onnx_data_1`, … */
export const externalDataChunk = (graph: string, index = 0): string => `${graph}_data${index === 0 ? '' : `_${index}`}`;

/** A graph's first `count` external data chunks, as onnxruntime names them (in the graph) and transformers.js fetches them (in the repo). */
export function externalDataFiles(graph: string, count: number): ExternalDataFile[] {
  return Array.from({ length: count }, (_, i) => {
    const data = externalDataChunk(graph, i);
    return { path: data.split('/').pop()!, data };
  });
}

/** One variant of one repo, as found on the server. */
export interface Variant {
  dtype: Dtype;
  /** The graph transformers.js loads for this dtype (dtypeFile). */
  graph: string;
  /** Its external data chunks, those found on the server whatever config.json declares (none: weights inside the graph). */
  externalData: ExternalDataFile[];
  /** The graph and its external data chunks, with their sizes in bytes. */
  files: { file: string; bytes: number }[];
  bytes: number;
}

/**
 * The variant of a pair shipped under models/: the fp32 graph with its weights inside (tools/demo_pair exports
 * so), sizes unknown here. Also what a load without a plan reads.
 */
export const shippedVariant = (): Variant => ({ dtype: 'fp32', graph: dtypeFile('fp32'), externalData: [], files: [], bytes: 0 });

/** Bytes of a file, or undefined when it does not exist. */
export type SizeOf = (file: string) => Promise<number | undefined>;

/** transformers.js reads at most this many external data chunks. */
const MAX_CHUNKS = 100;

/** The variants a repo really has: one HEAD per dtype, then one per external data chunk of those present. */
export async function probeVariants(sizeOf: SizeOf): Promise<Variant[]> {
  const found = await Promise.all(
    DTYPES.map(async (dtype): Promise<Variant | undefined> => {
      const graph = dtypeFile(dtype);
      const graphBytes = await sizeOf(graph);
      if (graphBytes === undefined) return undefined;
      const files = [{ file: graph, bytes: graphBytes }];
      const externalData: ExternalDataFile[] = [];
      for (const chunk of externalDataFiles(graph, MAX_CHUNKS)) {
        const bytes = await sizeOf(chunk.data);
        if (bytes === undefined) break;
        files.push({ file: chunk.data, bytes });
        externalData.push(chunk);
      }
      return { dtype, graph, externalData, files, bytes: files.reduce((n, f) => n + f.bytes, 0) };
    }),
  );
  return found.filter((v): v is Variant => v !== undefined);
}

/** The devices a dtype is chosen for: WebGPU with and without the adapter's shader-f16 differ. */
type PreferenceKey = 'wasm' | 'webgpu' | 'webgpu-f16' | 'cpu';

/** Preference per device, as transformers.js users expect: q8 on WASM; half floats on WebGPU with shader-f16. */
const PREFERENCE: Record<PreferenceKey, Dtype[]> = {
  wasm: ['q8', 'fp32', 'q4', 'fp16', 'q4f16'],
  cpu: ['fp32', 'q8', 'q4', 'fp16', 'q4f16'],
  'webgpu-f16': ['q4f16', 'fp16', 'fp32', 'q4', 'q8'],
  // Without shader-f16 onnxruntime's WebGPU kernels cannot run half-float graphs at all (asked for, they load on WASM).
  webgpu: ['fp32', 'q4', 'q8'],
};

/** Variants whose activations are half floats: on WebGPU they need the adapter's shader-f16 feature. */
export const isHalfFloat = (dtype: Dtype): boolean => dtype === 'fp16' || dtype === 'q4f16';

/** What "auto" loads on a device: the first of these that every body of the pair has. */
export function preferredDtypes(device: 'wasm' | 'webgpu' | 'cpu', shaderF16: boolean): Dtype[] {
  return PREFERENCE[device === 'webgpu' ? (shaderF16 ? 'webgpu-f16' : 'webgpu') : device];
}

const DEVICE_NAME = { webgpu: 'WebGPU', wasm: 'WASM' } as const;

/**
 * What "auto" picks, in words, before the pair's repos are asked (the pair picker): on a known device its
 * first preference and the rest ("q8 here on WASM; else fp32, q4, fp16, q4f16"), else the rule per device.
 */
export function autoDtypeHint(device?: { device: 'webgpu' | 'wasm'; shaderF16: boolean }): string {
  if (device) {
    const [first, ...rest] = preferredDtypes(device.device, device.shaderF16);
    return `${first} here on ${DEVICE_NAME[device.device]}; else ${rest.join(', ')}`;
  }
  const halfFloats = PREFERENCE['webgpu-f16'].filter(isHalfFloat);
  return `${PREFERENCE.wasm[0]} on WASM, ${halfFloats.join('/')} on WebGPU with shader-f16`;
}

/** The dtypes every one of the pair's bodies has (a pair runs both bodies in one dtype). */
export function commonDtypes(perRepo: Variant[][]): Dtype[] {
  return DTYPES.filter((d) => perRepo.every((variants) => variants.some((v) => v.dtype === d)));
}

/**
 * The dtype to load: the one asked for (which must exist in every body), else the
 * device's first preference that exists. Throws one line naming what the repos have.
 */
export function chooseDtype(requested: Dtype | undefined, available: Dtype[], preference: Dtype[], repos: string): Dtype {
  if (available.length === 0) throw new Error(`${repos}: no ONNX model under onnx/ (looked for ${DTYPES.map(dtypeFile).join(', ')}).`);
  if (requested) {
    if (available.includes(requested)) return requested;
    throw new Error(`${repos}: no ${requested} variant (${dtypeFile(requested)}); available: ${available.join(', ')}.`);
  }
  return preference.find((d) => available.includes(d)) ?? available[0];
}
