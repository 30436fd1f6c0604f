/**
 * Reading an ONNX model's graph as nodes (op type, input and output tensor names,
 * float attributes) and output names, with no protobuf library and no copy of the
 * weights: from a whole file, or from its head as it streams in. Also the index of
 * who makes and who reads each tensor, which the pattern finders (patterns.ts) walk.
 */

import { FIELD, fields, NotOnnxError, readFieldHead, strings, WIRE } from './wire';

export interface GraphNode {
  inputs: string[];
  outputs: string[];
  opType: string;
  /** The node's own name, when the graph gives one (for messages that point at a node). */
  name?: string;
  /** Float attributes (e.g. a fused norm's `epsilon`). */
  floats?: Record<string, number>;
}

/** A serialized NodeProto as a GraphNode. */
export function readNode(bytes: Uint8Array): GraphNode {
  const node: GraphNode = {
    inputs: strings(bytes, FIELD.node.input),
    outputs: strings(bytes, FIELD.node.output),
    opType: strings(bytes, FIELD.node.opType)[0] ?? '',
  };
  const name = strings(bytes, FIELD.node.name)[0];
  if (name) node.name = name;
  for (const f of fields(bytes)) {
    if (f.number !== FIELD.node.attribute || f.wire !== WIRE.length) continue;
    const name = strings(f.payload, FIELD.attribute.name)[0];
    const value = [...fields(f.payload)].find((a) => a.number === FIELD.attribute.float && a.wire === WIRE.fixed32);
    if (!name || !value) continue;
    node.floats ??= {};
    node.floats[name] = new DataView(value.payload.buffer, value.payload.byteOffset, 4).getFloat32(0, true);
  }
  return node;
}

/** The nodes and output names of a model's graph (every `graph` occurrence, merged as protobuf does). */
export function readGraph(model: Uint8Array): { nodes: GraphNode[]; outputs: string[] } {
  const nodes: GraphNode[] = [];
  const outputs: string[] = [];
  let sawGraph = false;
  for (const field of fields(model)) {
    if (field.number !== FIELD.model.graph || field.wire !== WIRE.length) continue;
    sawGraph = true;
    for (const g of fields(field.payload)) {
      if (g.wire !== WIRE.length) continue;
      if (g.number === FIELD.graph.node) nodes.push(readNode(g.payload));
      else if (g.number === FIELD.graph.output) outputs.push(...strings(g.payload, FIELD.valueInfo.name));
    }
  }
  if (!sawGraph) throw new NotOnnxError('no graph in the file');
  return { nodes, outputs };
}

/**
 * The node list of a model read as the file streams in: a serialized graph lists its
 * nodes (field 1) before its weights (field 5), so only the first few hundred kB of a
 * multi-hundred-MB model need keeping. Push the bytes in order; `nodes` grows, and
 * `done` turns true at the first graph field that is not a node.
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
        if (field.number === FIELD.model.graph && field.wire === WIRE.length) {
          this.inGraph = true; // step into the graph message: its fields follow
          pos = field.payloadStart;
          continue;
        }
        if (field.end > joined.length) break;
        pos = field.end;
        continue;
      }
      if (field.number !== FIELD.graph.node || field.wire !== WIRE.length) {
        this.finish();
        return;
      }
      if (field.end > joined.length) break;
      this.nodes.push(readNode(joined.subarray(field.payloadStart, field.end)));
      pos = field.end;
    }
    this.pending = joined.slice(pos);
  }

  private finish(): void {
    this.done = true;
    this.pending = new Uint8Array(0);
  }
}

/** Who makes and who reads each tensor of a graph. */
export interface GraphIndex {
  nodes: readonly GraphNode[];
  /** Tensor name → the node that outputs it (absent for graph inputs and initializers). */
  producer: ReadonlyMap<string, GraphNode>;
  /** Tensor name → the nodes that read it, once per input slot (a node reading x twice, as x·x, is listed twice). */
  consumers: ReadonlyMap<string, readonly GraphNode[]>;
}

export function indexGraph(nodes: readonly GraphNode[]): GraphIndex {
  const producer = new Map<string, GraphNode>();
  const consumers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    for (const out of node.outputs) producer.set(out, node);
    for (const input of node.inputs) {
      const readers = consumers.get(input);
      if (readers) readers.push(node);
      else consumers.set(input, [node]);
    }
  }
  return { nodes, producer, consumers };
}
