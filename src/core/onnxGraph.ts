/**
 * Giving a logits-only ONNX export a `last_hidden_state` output, by appending bytes.
 *
 * Causal-LM exports on the Hub (text-generation, with or without a KV cache)
 * return `logits` only, but the PC analysis needs the base model's final-norm
 * hidden state h (paper §4: u_1 is a principal direction of the h's). The
 * hidden state is there, as the input of the MatMul/Gemm that makes `logits`.
 *
 * Protobuf merges a message that appears twice, and concatenates repeated
 * fields, so appending a serialized `ModelProto { graph { node; output } }` to
 * the file adds an `Identity` node that copies h to a new graph output
 * `last_hidden_state` — with no protobuf library and no copy of the weights
 * (see ../shared/DESIGN.md §2). Field numbers are onnx.proto's.
 */

const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const VALUE_INFO_NAME = 1;

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_LENGTH = 2;
const WIRE_32BIT = 5;

export const HIDDEN_STATE_OUTPUT = 'last_hidden_state';

/** Not a protobuf-encoded ONNX model: the bytes end mid-field or use an unknown wire type. */
export class NotOnnxError extends Error {}

interface Field {
  number: number;
  wire: number;
  /** For length-delimited fields: the payload. */
  bytes?: Uint8Array;
}

/** The fields of a complete message, in order (readFieldHead does the decoding). */
function* fields(buffer: Uint8Array): Generator<Field> {
  for (let pos = 0; pos < buffer.length; ) {
    const field = readFieldHead(buffer, pos);
    if (!field || field.end > buffer.length) throw new NotOnnxError('a field runs past the end of the file');
    yield field.wire === WIRE_LENGTH ? { number: field.number, wire: field.wire, bytes: buffer.subarray(field.payloadStart, field.end) } : field;
    pos = field.end;
  }
}

const utf8 = new TextDecoder();
const strings = (message: Uint8Array, fieldNumber: number) =>
  [...fields(message)].filter((f) => f.number === fieldNumber && f.bytes).map((f) => utf8.decode(f.bytes));

interface GraphNode {
  inputs: string[];
  outputs: string[];
  opType: string;
}

/** The nodes and output names of a model's graph (every `graph` occurrence, merged as protobuf does). */
export function readGraph(model: Uint8Array): { nodes: GraphNode[]; outputs: string[] } {
  const nodes: GraphNode[] = [];
  const outputs: string[] = [];
  let sawGraph = false;
  for (const field of fields(model)) {
    if (field.number !== MODEL_GRAPH || !field.bytes) continue;
    sawGraph = true;
    for (const g of fields(field.bytes)) {
      if (!g.bytes) continue;
      if (g.number === GRAPH_NODE) {
        nodes.push({ inputs: strings(g.bytes, NODE_INPUT), outputs: strings(g.bytes, NODE_OUTPUT), opType: strings(g.bytes, NODE_OP_TYPE)[0] ?? '' });
      } else if (g.number === GRAPH_OUTPUT) outputs.push(...strings(g.bytes, VALUE_INFO_NAME));
    }
  }
  if (!sawGraph) throw new NotOnnxError('no graph in the file');
  return { nodes, outputs };
}

// Ops that pass the hidden state through unchanged in value (casts in fp16 exports).
const PASS_THROUGH = new Set(['Cast', 'Identity']);
const PROJECTIONS = new Set(['MatMul', 'Gemm', 'MatMulNBits', 'FusedMatMul', 'DynamicQuantizeMatMul']);

/**
 * The name of the tensor that the LM head multiplies (the final-norm hidden
 * state), or undefined when the graph has no `logits` made by a matrix product.
 */
export function findHiddenStateName(graph: { nodes: GraphNode[] }, logits = 'logits'): string | undefined {
  const producer = new Map<string, GraphNode>();
  for (const node of graph.nodes) for (const out of node.outputs) producer.set(out, node);
  const skipCasts = (name: string | undefined) => {
    let node = name === undefined ? undefined : producer.get(name);
    for (let hops = 0; node && PASS_THROUGH.has(node.opType) && hops < 4; hops++) node = producer.get(node.inputs[0]);
    return node;
  };
  const node = skipCasts(logits);
  if (!node) return undefined;
  if (PROJECTIONS.has(node.opType)) return node.inputs[0];
  // A q8 export (onnxruntime's quantize_dynamic, as the Hub's model_quantized.onnx files are made) quantizes the
  // LM head too: DynamicQuantizeLinear(h) → MatMulInteger → Cast → Mul by the two scales = logits; onnxruntime's
  // own fusion of that is MatMulIntegerToFloat. h is what DynamicQuantizeLinear read.
  const integerProduct =
    node.opType === 'MatMulIntegerToFloat' ? node : node.opType === 'Mul' ? node.inputs.map(skipCasts).find((n) => n?.opType === 'MatMulInteger') : undefined;
  const quantizer = producer.get(integerProduct?.inputs[0] ?? '');
  return quantizer?.opType === 'DynamicQuantizeLinear' ? quantizer.inputs[0] : undefined;
}

/**
 * Bytes to append to a logits-only model so it also returns `last_hidden_state`,
 * or undefined when it already does or has no `logits` to trace back from.
 */
export function hiddenStatePatch(model: Uint8Array): Uint8Array | undefined {
  const graph = readGraph(model);
  if (graph.outputs.includes(HIDDEN_STATE_OUTPUT) || !graph.outputs.includes('logits')) return undefined;
  return patchFor(graph.nodes);
}

/**
 * The same decision from the node list alone, read as the file streams in: a
 * serialized graph lists its nodes (field 1) before its weights (field 5), so
 * only the first few hundred kB of a multi-hundred-MB model need keeping.
 */
export class StreamingNodeReader {
  readonly nodes: GraphNode[] = [];
  /** True once the node list has ended (or the file is not what we can read): later bytes are ignored. */
  done = false;
  private pending = new Uint8Array(0);
  private inGraph = false;

  push(chunk: Uint8Array): void {
    if (this.done) return;
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending);
    joined.set(chunk, this.pending.length);
    let pos = 0;
    for (;;) {
      const field = readFieldHead(joined, pos);
      if (!field) break; // need more bytes
      if (!this.inGraph) {
        if (field.number === MODEL_GRAPH && field.wire === WIRE_LENGTH) {
          this.inGraph = true; // step into the graph message: its fields follow
          pos = field.payloadStart;
          continue;
        }
        if (field.end > joined.length) break;
        pos = field.end;
        continue;
      }
      if (field.number !== GRAPH_NODE || field.wire !== WIRE_LENGTH) {
        this.finish();
        return;
      }
      if (field.end > joined.length) break;
      const node = joined.subarray(field.payloadStart, field.end);
      this.nodes.push({ inputs: strings(node, NODE_INPUT), outputs: strings(node, NODE_OUTPUT), opType: strings(node, NODE_OP_TYPE)[0] ?? '' });
      pos = field.end;
    }
    this.pending = joined.slice(pos);
  }

  /** The patch for what was read (see hiddenStatePatch). */
  patch(): Uint8Array | undefined {
    if (this.nodes.some((node) => node.outputs.includes(HIDDEN_STATE_OUTPUT))) return undefined;
    return patchFor(this.nodes);
  }

  private finish(): void {
    this.done = true;
    this.pending = new Uint8Array(0);
  }
}

/** Key and extent of the field at `pos`, or undefined when its key or length is not all there yet. */
function readFieldHead(buffer: Uint8Array, pos: number): { number: number; wire: number; payloadStart: number; end: number } | undefined {
  const varintAt = (at: number): [number, number] | undefined => {
    let result = 0;
    let scale = 1;
    for (let i = at; i < buffer.length; i++) {
      result += (buffer[i] & 0x7f) * scale;
      if (buffer[i] < 0x80) return [result, i + 1];
      scale *= 128;
    }
    return undefined;
  };
  const key = varintAt(pos);
  if (!key) return undefined;
  const [k, afterKey] = key;
  const number = Math.floor(k / 8);
  const wire = k % 8;
  if (wire === WIRE_VARINT) {
    const v = varintAt(afterKey);
    return v && { number, wire, payloadStart: afterKey, end: v[1] };
  }
  if (wire === WIRE_64BIT) return { number, wire, payloadStart: afterKey, end: afterKey + 8 };
  if (wire === WIRE_32BIT) return { number, wire, payloadStart: afterKey, end: afterKey + 4 };
  if (wire !== WIRE_LENGTH) throw new NotOnnxError(`unknown wire type ${wire}`);
  const length = varintAt(afterKey);
  return length && { number, wire, payloadStart: length[1], end: length[1] + length[0] };
}

function patchFor(nodes: GraphNode[]): Uint8Array | undefined {
  if (!nodes.some((node) => node.outputs.includes('logits'))) return undefined;
  const hidden = findHiddenStateName({ nodes });
  if (!hidden) return undefined;
  const node = message([
    [NODE_INPUT, hidden],
    [NODE_OUTPUT, HIDDEN_STATE_OUTPUT],
    [NODE_NAME, 'embedding_lens/hidden_state'],
    [NODE_OP_TYPE, 'Identity'],
  ]);
  const output = message([[VALUE_INFO_NAME, HIDDEN_STATE_OUTPUT]]);
  return message([[MODEL_GRAPH, message([[GRAPH_NODE, node], [GRAPH_OUTPUT, output]])]]);
}

/** A message of length-delimited fields, serialized. */
function message(entries: [number, string | Uint8Array][]): Uint8Array {
  const parts: number[] = [];
  const varint = (value: number) => {
    while (value >= 0x80) {
      parts.push((value % 128) | 0x80);
      value = Math.floor(value / 128);
    }
    parts.push(value);
  };
  for (const [number, value] of entries) {
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    varint(number * 8 + WIRE_LENGTH);
    varint(bytes.length);
    for (const b of bytes) parts.push(b);
  }
  return Uint8Array.from(parts);
}
