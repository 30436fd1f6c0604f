/**
 * Reading one tensor out of a .safetensors file without downloading the rest:
 * the file is an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw data. With HTTP Range
 * requests a client reads the header, then only the bytes of the tensor it wants
 * (the LM head W is a few hundred MB of a multi-GB checkpoint).
 */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | string;

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Bytes before the data section: 8 + header length. */
  dataStart: number;
  tensors: Record<string, TensorInfo>;
  metadata?: Record<string, string>;
}

/** A corrupt or foreign file: its name promises safetensors but its bytes disagree. */
export class NotSafetensorsError extends Error {}

/** Header length from the first 8 bytes (little-endian u64; refuses absurd sizes). */
export function headerLength(first8: Uint8Array, fileName = 'file'): number {
  if (first8.byteLength < 8) throw new NotSafetensorsError(`${fileName} is not a safetensors file: it has fewer than 8 bytes.`);
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const length = Number(view.getBigUint64(0, true));
  if (length < 2 || length > 100_000_000) {
    throw new NotSafetensorsError(`${fileName} is not a safetensors file: its header length would be ${length} bytes.`);
  }
  return length;
}

/** Parses the JSON header (the bytes after the first 8). */
export function parseHeader(headerBytes: Uint8Array, fileName = 'file'): SafetensorsHeader {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder().decode(headerBytes).trimEnd());
  } catch {
    throw new NotSafetensorsError(`${fileName} is not a safetensors file: its header is not JSON.`);
  }
  const tensors: Record<string, TensorInfo> = {};
  let metadata: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = value as Record<string, string>;
      continue;
    }
    const v = value as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (typeof v?.dtype !== 'string' || !Array.isArray(v.shape) || !Array.isArray(v.data_offsets)) {
      throw new NotSafetensorsError(`${fileName} is not a safetensors file: tensor "${name}" has no dtype/shape/data_offsets.`);
    }
    tensors[name] = { dtype: v.dtype, shape: v.shape, dataOffsets: v.data_offsets };
  }
  return { dataStart: 8 + headerBytes.byteLength, tensors, metadata };
}

/** Absolute byte range [start, end) of a tensor in the file. */
export function tensorRange(header: SafetensorsHeader, name: string): [number, number] {
  const info = header.tensors[name];
  if (!info) throw new Error(`no tensor "${name}"`);
  return [header.dataStart + info.dataOffsets[0], header.dataStart + info.dataOffsets[1]];
}

/** `model.safetensors.index.json`: which shard holds each tensor. */
export function shardFor(indexJson: unknown, tensor: string): string | undefined {
  const map = (indexJson as { weight_map?: Record<string, string> })?.weight_map;
  return map?.[tensor];
}

/**
 * Tensor bytes → LM head storage. F32 stays f32; F16 and BF16 stay as 16-bit
 * words (the projection widens them on the fly: bf16 → f32 is u32 = u16 << 16).
 */
export function tensorToHeadData(bytes: Uint8Array, dtype: SafetensorsDtype): { data: Float32Array | Uint16Array; dtype: 'float32' | 'float16' | 'bfloat16' } {
  // An owned, aligned buffer: the bytes' own when they fill it (a fresh download), else a copy.
  const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
  if (dtype === 'F32') return { data: new Float32Array(copy), dtype: 'float32' };
  if (dtype === 'F16') return { data: new Uint16Array(copy), dtype: 'float16' };
  if (dtype === 'BF16') return { data: new Uint16Array(copy), dtype: 'bfloat16' };
  throw new Error(`unsupported LM head dtype ${dtype} (expected F32, F16 or BF16)`);
}

/** Writes a safetensors file (tests and tools build models with it). */
export function writeSafetensors(
  tensors: Record<string, { dtype: 'F32' | 'F16' | 'BF16'; shape: number[]; data: Uint8Array }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const t of Object.values(tensors)) {
    out.set(t.data, at);
    at += t.data.byteLength;
  }
  return out;
}
