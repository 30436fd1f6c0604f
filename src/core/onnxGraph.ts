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
const NODE_ATTRIBUTE = 5;
const VALUE_INFO_NAME = 1;
const ATTR_NAME = 1;
const ATTR_FLOAT = 2;
const ATTR_TENSOR = 5;
const ATTR_TYPE = 20;
const ATTR_TYPE_TENSOR = 4;
const TENSOR_DATA_TYPE = 2;
const TENSOR_RAW_DATA = 9;
const TENSOR_FLOAT = 1;

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
  /** For length-delimited and fixed-width fields: the payload. */
  bytes?: Uint8Array;
}

/** The fields of a complete message, in order (readFieldHead does the decoding). */
function* fields(buffer: Uint8Array): Generator<Field> {
  for (let pos = 0; pos < buffer.length; ) {
    const field = readFieldHead(buffer, pos);
    if (!field || field.end > buffer.length) throw new NotOnnxError('a field runs past the end of the file');
    yield field.wire === WIRE_VARINT ? field : { number: field.number, wire: field.wire, bytes: buffer.subarray(field.payloadStart, field.end) };
    pos = field.end;
  }
}

const utf8 = new TextDecoder();
const strings = (message: Uint8Array, fieldNumber: number) =>
  [...fields(message)].filter((f) => f.number === fieldNumber && f.wire === WIRE_LENGTH && f.bytes).map((f) => utf8.decode(f.bytes));

export interface GraphNode {
  inputs: string[];
  outputs: string[];
  opType: string;
  /** Float attributes (e.g. a fused norm's `epsilon`). */
  floats?: Record<string, number>;
}

function readNode(bytes: Uint8Array): GraphNode {
  const node: GraphNode = { inputs: strings(bytes, NODE_INPUT), outputs: strings(bytes, NODE_OUTPUT), opType: strings(bytes, NODE_OP_TYPE)[0] ?? '' };
  for (const f of fields(bytes)) {
    if (f.number !== NODE_ATTRIBUTE || !f.bytes) continue;
    const name = strings(f.bytes, ATTR_NAME)[0];
    const value = [...fields(f.bytes)].find((a) => a.number === ATTR_FLOAT && a.wire === WIRE_32BIT);
    if (!name || !value?.bytes) continue;
    node.floats ??= {};
    node.floats[name] = new DataView(value.bytes.buffer, value.bytes.byteOffset, 4).getFloat32(0, true);
  }
  return node;
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
        nodes.push(readNode(g.bytes));
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
 * Bytes to append to a model so it returns `last_hidden_state` (a logits-only
 * export) and each decoder layer's residual stream with its final norm's tensors
 * (the layer view; see findLayerTaps), or undefined when there is nothing to add.
 */
export function hiddenStatePatch(model: Uint8Array): Uint8Array | undefined {
  const graph = readGraph(model);
  if (graph.outputs.some((o) => o.startsWith('embedding_lens/'))) return undefined;
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
      this.nodes.push(readNode(node));
      pos = field.end;
    }
    this.pending = joined.slice(pos);
  }

  /** The patch for what was read (see hiddenStatePatch). */
  patch(): Uint8Array | undefined {
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
  // Patched already (e.g. as the body was split into graph + external data): nothing to add twice.
  if (nodes.some((node) => node.outputs.some((o) => o.startsWith('embedding_lens/')))) return undefined;
  const graphParts: [number, Uint8Array][] = [];
  const addOutput = (node: Uint8Array, name: string) => {
    graphParts.push([GRAPH_NODE, node], [GRAPH_OUTPUT, message([[VALUE_INFO_NAME, name]])]);
  };
  const identity = (from: string, to: string) =>
    message([
      [NODE_INPUT, from],
      [NODE_OUTPUT, to],
      [NODE_NAME, `embedding_lens/${to}`],
      [NODE_OP_TYPE, 'Identity'],
    ]);
  const hidden = nodes.some((node) => node.outputs.includes('logits')) ? findHiddenStateName({ nodes }) : undefined;
  const hasHidden = nodes.some((node) => node.outputs.includes(HIDDEN_STATE_OUTPUT));
  if (hidden && !hasHidden) addOutput(identity(hidden, HIDDEN_STATE_OUTPUT), HIDDEN_STATE_OUTPUT);
  // Layer taps: not for graphs exported with their own per-layer outputs (the demo pair), nor for graphs with no final hidden state.
  const exported = nodes.some((node) => node.outputs.includes('layer_1'));
  const finalState = hasHidden ? HIDDEN_STATE_OUTPUT : hidden;
  if (!exported && finalState) {
    const taps = findLayerTaps(nodes, finalState);
    if ('reason' in taps) addOutput(constantNode(`${NO_LAYERS_PREFIX}${taps.reason}`, 0), `${NO_LAYERS_PREFIX}${taps.reason}`);
    else {
      for (const [i, name] of taps.layers.entries()) addOutput(identity(name, `${LAYER_OUTPUT_PREFIX}${i + 1}`), `${LAYER_OUTPUT_PREFIX}${i + 1}`);
      const prefix = taps.norm.kind === 'rms' ? RMS_NORM_PREFIX : LAYER_NORM_PREFIX;
      addOutput(identity(taps.norm.weight, `${prefix}weight`), `${prefix}weight`);
      if (taps.norm.bias) addOutput(identity(taps.norm.bias, `${prefix}bias`), `${prefix}bias`);
      const eps = `${prefix}eps`;
      addOutput(typeof taps.norm.eps === 'number' ? constantNode(eps, taps.norm.eps) : identity(taps.norm.eps, eps), eps);
    }
  }
  if (graphParts.length === 0) return undefined;
  return message([[MODEL_GRAPH, message(graphParts)]]);
}

/** Output names of the layer taps (see findLayerTaps): the residual stream after layer ℓ is `…layer.ℓ`. */
export const LAYER_OUTPUT_PREFIX = 'embedding_lens/layer.';
/** The final norm's tensors, by kind: `…weight`, `…bias` (layer norm only, when present), `…eps`. */
export const RMS_NORM_PREFIX = 'embedding_lens/final_rms_norm.';
export const LAYER_NORM_PREFIX = 'embedding_lens/final_layer_norm.';
/** A scalar output whose name says why the layers were not found (the graph carries its own reason through any cache). */
export const NO_LAYERS_PREFIX = 'embedding_lens/no_layers: ';

export interface LayerTaps {
  /** Residual stream after each decoder layer, shallow to deep (the last is the final norm's input). */
  layers: string[];
  norm: { kind: 'rms' | 'layer'; weight: string; bias?: string; eps: number | string };
}

const FUSED_NORMS: Record<string, 'rms' | 'layer'> = { SimplifiedLayerNormalization: 'rms', RMSNormalization: 'rms', LayerNormalization: 'layer' };
const ATTENTION_OPS = new Set(['Softmax', 'Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'PackedAttention', 'PagedAttention', 'SparseAttention']);

/**
 * Finds, from the graph alone, each decoder layer's output and the final norm that
 * makes `finalState` (the hidden state the LM head reads). The residual stream is a
 * chain of Adds: each adds a branch (attention or MLP) to the stream, and the stream
 * tensor is the Add input that other nodes (the next norm) also read. The stream
 * entering an attention branch is the previous layer's output. Returns a reason
 * instead when the graph's shape defeats this (fused skip-norms, unknown norm
 * decompositions): the app then says so rather than guess.
 */
export function findLayerTaps(nodes: GraphNode[], finalState: string): LayerTaps | { reason: string } {
  const producer = new Map<string, GraphNode>();
  const consumers = new Map<string, number>();
  for (const node of nodes) {
    for (const out of node.outputs) producer.set(out, node);
    for (const input of node.inputs) consumers.set(input, (consumers.get(input) ?? 0) + 1);
  }
  const through = (name: string) => {
    let n = name;
    for (let hops = 0; hops < 4; hops++) {
      const p = producer.get(n);
      if (!p || !PASS_THROUGH.has(p.opType)) break;
      n = p.inputs[0];
    }
    return n;
  };
  const norm = findFinalNorm(producer, through(finalState), through);
  if ('reason' in norm) return norm;
  // Walk the residual chain from the final norm's input down to the embeddings.
  const adds: { stream: string; attention: boolean }[] = [];
  let current = through(norm.input);
  for (let guard = 0; guard < 4096; guard++) {
    const p = producer.get(current);
    if (p?.opType !== 'Add' || p.inputs.length !== 2) break;
    const shared = p.inputs.map((i) => (consumers.get(i) ?? 0) > 1);
    if (shared[0] === shared[1]) break; // not a residual Add (e.g. token + position embeddings)
    const stream = p.inputs[shared[0] ? 0 : 1];
    const branch = p.inputs[shared[0] ? 1 : 0];
    adds.push({ stream, attention: branchHasAttention(producer, branch, stream) });
    current = through(stream);
  }
  adds.reverse(); // shallow to deep
  if (adds.length === 0) {
    if (nodes.some((n) => n.opType.startsWith('Skip'))) return { reason: 'the residual adds are fused into Skip…Normalization ops, which expose no layer outputs' };
    return { reason: 'no residual stream (a chain of Adds) leads to the final norm' };
  }
  const starts = adds.map((a, i) => (a.attention ? i : -1)).filter((i) => i >= 0);
  if (starts.length === 0) return { reason: `none of the ${adds.length} branch${adds.length > 1 ? 'es' : ''} added to the residual stream computes attention, so no decoder layers can be told apart` };
  if (starts[0] !== 0) return { reason: 'the first branch added to the residual stream is not an attention block' };
  // Layer ℓ's output is the stream entering layer ℓ+1's attention; the last layer's is the final norm's input.
  const layers = [...starts.slice(1).map((i) => adds[i].stream), norm.input];
  return { layers, norm: norm.norm };
}

/** The final norm that produces `hidden`: a fused op, or the decomposed RMSNorm x · 1/sqrt(mean(x²) + ε) · w. */
function findFinalNorm(producer: Map<string, GraphNode>, hidden: string, through: (name: string) => string): { input: string; norm: LayerTaps['norm'] } | { reason: string } {
  const p = producer.get(hidden);
  if (!p) return { reason: 'the final hidden state has no producing node' };
  const fused = FUSED_NORMS[p.opType];
  if (fused) {
    const [input, weight, bias] = p.inputs;
    return { input, norm: { kind: fused, weight, bias: bias || undefined, eps: p.floats?.epsilon ?? 1e-5 } };
  }
  if (p.opType.startsWith('Skip')) return { reason: `the final norm is a fused ${p.opType}, whose residual input is not a tensor of the graph` };
  if (p.opType !== 'Mul') return { reason: `the final norm is a ${p.opType || 'node'} this app does not recognise` };
  // w · normed (either order); w has no producer (an initializer) or comes from a Constant.
  const isWeight = (name: string) => !producer.has(name) || producer.get(name)?.opType === 'Constant';
  const wi = p.inputs.findIndex(isWeight);
  if (wi < 0) return { reason: 'the final norm multiplies no weight tensor' };
  const scaled = producer.get(through(p.inputs[1 - wi]));
  // x / sqrt(mean(x²) + ε), written as a division.
  if (scaled?.opType === 'Div') {
    const sqrt = producer.get(through(scaled.inputs[1]));
    const eps = sqrt?.opType === 'Sqrt' ? epsOfMeanSquare(producer, sqrt, through) : undefined;
    if (eps !== undefined) return { input: scaled.inputs[0], norm: { kind: 'rms', weight: p.inputs[wi], eps } };
  }
  if (scaled?.opType !== 'Mul') return { reason: 'the final norm is not x · 1/sqrt(mean(x²) + ε) · w' };
  // scaled = x · r, where r = 1/sqrt(mean(x²) + ε) (Div(1, Sqrt) or Reciprocal(Sqrt)).
  for (const [xi, ri] of [
    [0, 1],
    [1, 0],
  ]) {
    const eps = rmsEps(producer, scaled.inputs[ri], through);
    if (eps !== undefined) return { input: scaled.inputs[xi], norm: { kind: 'rms', weight: p.inputs[wi], eps } };
  }
  return { reason: 'the final norm is not x · 1/sqrt(mean(x²) + ε) · w' };
}

/** ε of r = 1/sqrt(ReduceMean(x²) + ε), as the name of the tensor holding it; undefined when r is not that. */
function rmsEps(producer: Map<string, GraphNode>, r: string, through: (name: string) => string): string | undefined {
  const rNode = producer.get(through(r));
  let sqrt: GraphNode | undefined;
  if (rNode?.opType === 'Reciprocal') sqrt = producer.get(through(rNode.inputs[0]));
  else if (rNode?.opType === 'Div') sqrt = producer.get(through(rNode.inputs[1]));
  else if (rNode?.opType === 'Sqrt') return undefined;
  if (sqrt?.opType !== 'Sqrt') return undefined;
  return epsOfMeanSquare(producer, sqrt, through);
}

/** ε of sqrt(ReduceMean(x²) + ε): the Add's other input. */
function epsOfMeanSquare(producer: Map<string, GraphNode>, sqrt: GraphNode, through: (name: string) => string): string | undefined {
  const add = producer.get(through(sqrt.inputs[0]));
  if (add?.opType !== 'Add') return undefined;
  const meanIndex = add.inputs.findIndex((i) => producer.get(through(i))?.opType === 'ReduceMean');
  return meanIndex < 0 ? undefined : add.inputs[1 - meanIndex];
}

/** Whether the branch added to `stream` computes attention (looked for among its producers, not crossing the stream). */
function branchHasAttention(producer: Map<string, GraphNode>, branch: string, stream: string): boolean {
  const seen = new Set<string>([stream]);
  const queue = [branch];
  while (queue.length && seen.size < 5000) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const p = producer.get(name);
    if (!p) continue;
    if (ATTENTION_OPS.has(p.opType)) return true;
    queue.push(...p.inputs.filter(Boolean));
  }
  return false;
}

/** A Constant node that outputs the float scalar `value` as `name`. */
function constantNode(name: string, value: number): Uint8Array {
  const raw = new Uint8Array(4);
  new DataView(raw.buffer).setFloat32(0, value, true);
  const tensor = concat(varintField(TENSOR_DATA_TYPE, TENSOR_FLOAT), message([[TENSOR_RAW_DATA, raw]]));
  const attribute = concat(message([[ATTR_NAME, 'value'], [ATTR_TENSOR, tensor]]), varintField(ATTR_TYPE, ATTR_TYPE_TENSOR));
  return message([
    [NODE_OUTPUT, name],
    [NODE_NAME, `embedding_lens/constant ${name}`],
    [NODE_OP_TYPE, 'Constant'],
    [NODE_ATTRIBUTE, attribute],
  ]);
}

function varintField(number: number, value: number): Uint8Array {
  const parts: number[] = [];
  for (let v of [number * 8 + WIRE_VARINT, value]) {
    while (v >= 0x80) {
      parts.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    parts.push(v);
  }
  return Uint8Array.from(parts);
}

function concat(...arrays: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
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

const GRAPH_INITIALIZER = 5;
const TENSOR_NAME = 8;
/** Ops that carry subgraphs, which may read any tensor by name: a graph with one is not pruned. */
const SUBGRAPH_OPS = new Set(['If', 'Loop', 'Scan']);

/** The fields of a message with their raw bytes (key included), for rebuilding it. */
function* rawFields(buffer: Uint8Array): Generator<{ number: number; wire: number; raw: Uint8Array; payload: Uint8Array }> {
  for (let pos = 0; pos < buffer.length; ) {
    const field = readFieldHead(buffer, pos);
    if (!field || field.end > buffer.length) throw new NotOnnxError('a field runs past the end of the file');
    yield { number: field.number, wire: field.wire, raw: buffer.subarray(pos, field.end), payload: buffer.subarray(field.payloadStart, field.end) };
    pos = field.end;
  }
}

/**
 * The model without the graph outputs named in `drop`, nor the nodes and initializers
 * that only they needed (every `graph` occurrence merged into one, as protobuf merges
 * them). A causal-LM body read for its hidden state drops `logits`: its LM head is
 * ~155 MB of a q8 Qwen3-0.6B and a quarter of the base model's work per token, and the
 * app applies W itself (paper §3: s = W·h). Returned unchanged when nothing is dropped.
 */
export function withoutOutputs(model: Uint8Array, drop: readonly string[]): Uint8Array {
  const before: Uint8Array[] = [];
  const after: Uint8Array[] = [];
  const graph: ReturnType<typeof rawFields> extends Generator<infer F> ? F[] : never = [];
  for (const field of rawFields(model)) {
    if (field.number === MODEL_GRAPH && field.wire === WIRE_LENGTH) graph.push(...rawFields(field.payload));
    else (graph.length ? after : before).push(field.raw);
  }
  const outputName = (f: (typeof graph)[number]) => strings(f.payload, VALUE_INFO_NAME)[0];
  const outputs = graph.filter((f) => f.number === GRAPH_OUTPUT);
  if (!outputs.some((f) => drop.includes(outputName(f)))) return model;
  const nodes = graph.filter((f) => f.number === GRAPH_NODE).map((f) => ({ field: f, node: readNode(f.payload) }));
  if (nodes.some(({ node }) => SUBGRAPH_OPS.has(node.opType))) return model;
  const needed = new Set(outputs.map(outputName).filter((name) => !drop.includes(name)));
  const live = new Set<(typeof graph)[number]>();
  for (const { field, node } of [...nodes].reverse()) {
    if (!node.outputs.some((o) => needed.has(o))) continue;
    live.add(field);
    for (const input of node.inputs) if (input) needed.add(input);
  }
  const kept = graph.filter((f) => {
    if (f.number === GRAPH_NODE) return live.has(f);
    if (f.number === GRAPH_OUTPUT) return !drop.includes(outputName(f));
    if (f.number === GRAPH_INITIALIZER) return needed.has(strings(f.payload, TENSOR_NAME)[0] ?? '');
    return true;
  });
  return concat(...before, message([[MODEL_GRAPH, concat(...kept.map((f) => f.raw))]]), ...after);
}
