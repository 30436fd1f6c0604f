/**
 * The ONNX variants a model repo ships, as transformers.js names them
 * (`dtype` → `onnx/model{suffix}.onnx`, external data in `…onnx_data`, `…onnx_data_1`, …),
 * and which one a pair loads on each backend.
 */
export const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'] as const;
export type Dtype = (typeof DTYPES)[number];

const SUFFIX: Record<Dtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' };

/** `onnx/model_quantized.onnx` for q8, and so on. */
export const dtypeFile = (dtype: Dtype): string => `onnx/model${SUFFIX[dtype]}.onnx`;

export const isDtype = (value: unknown): value is Dtype => DTYPES.includes(value as Dtype);

/** One variant of one repo, as found on the server. */
export interface Variant {
  dtype: Dtype;
  /** The graph and its external data chunks, with their sizes in bytes. */
  files: { file: string; bytes: number }[];
  bytes: number;
  /** External data chunks (0: weights inside the .onnx), whatever config.json declares. */
  externalChunks: number;
}

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
      for (let i = 0; i < MAX_CHUNKS; i++) {
        const chunk = `${graph}_data${i === 0 ? '' : `_${i}`}`;
        const bytes = await sizeOf(chunk);
        if (bytes === undefined) break;
        files.push({ file: chunk, bytes });
      }
      return { dtype, files, bytes: files.reduce((n, f) => n + f.bytes, 0), externalChunks: files.length - 1 };
    }),
  );
  return found.filter((v): v is Variant => v !== undefined);
}

/** Preference per backend, as transformers.js users expect: q8 on WASM; half floats on WebGPU with shader-f16. */
const PREFERENCE: Record<'wasm' | 'webgpu' | 'webgpu-f16' | 'cpu', Dtype[]> = {
  wasm: ['q8', 'fp32', 'q4', 'fp16', 'q4f16'],
  cpu: ['fp32', 'q8', 'q4', 'fp16', 'q4f16'],
  'webgpu-f16': ['q4f16', 'fp16', 'fp32', 'q4', 'q8'],
  // Without shader-f16 onnxruntime's WebGPU kernels cannot run half-float graphs at all (asked for, they load on WASM).
  webgpu: ['fp32', 'q4', 'q8'],
};

/** Variants whose activations are half floats: on WebGPU they need the adapter's shader-f16 feature. */
export const isHalfFloat = (dtype: Dtype): boolean => dtype === 'fp16' || dtype === 'q4f16';

export function preferredDtypes(device: 'wasm' | 'webgpu' | 'cpu', shaderF16: boolean): Dtype[] {
  return PREFERENCE[device === 'webgpu' ? (shaderF16 ? 'webgpu-f16' : 'webgpu') : device];
}

/** The dtypes every one of the pair's bodies has (a pair runs both bodies in one dtype). */
export function commonDtypes(perRepo: Variant[][]): Dtype[] {
  return DTYPES.filter((d) => perRepo.every((variants) => variants.some((v) => v.dtype === d)));
}

/**
 * The dtype to load: the one asked for (which must exist in every body), else the
 * backend's first preference that exists. Throws one line naming what the repos have.
 */
export function chooseDtype(requested: Dtype | undefined, available: Dtype[], preference: Dtype[], repos: string): Dtype {
  if (available.length === 0) throw new Error(`${repos}: no ONNX model under onnx/ (looked for ${DTYPES.map(dtypeFile).join(', ')}).`);
  if (requested) {
    if (available.includes(requested)) return requested;
    throw new Error(`${repos}: no ${requested} variant (${dtypeFile(requested)}); available: ${available.join(', ')}.`);
  }
  return preference.find((d) => available.includes(d)) ?? available[0];
}
