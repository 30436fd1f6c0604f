/**
 * Editing an ONNX model's graph as bytes: giving it the outputs the app reads, and
 * dropping outputs it does not.
 *
 * Causal-LM exports on the Hub (text-generation, with or without a KV cache) return
 * `logits` only, but the PC analysis needs the base model's final-norm hidden state h
 * (paper §4: u_1 is a principal direction of the h's), and the layer view needs each
 * layer's residual stream and the final norm. They are all tensors of the graph
 * (patterns.ts finds them). Protobuf merges a message that appears twice, and
 * concatenates repeated fields, so appending a serialized
 * `ModelProto { graph { node; output } }` to the file adds `Identity` nodes that copy
 * them to new graph outputs — with no protobuf library and no copy of the weights
 * (see docs/design.md, "Editing ONNX graphs by appending bytes").
 */

import { concatBytes } from '../bytes';
import { type GraphNode, indexGraph, readGraph, readNode } from './graph';
import { findHiddenStateName, findLayerTaps } from './patterns';
import { ENUM, FIELD, type Field, fields, message, strings, varintField, WIRE } from './wire';

/** The namespace of every node and output the patch adds (and how a patched graph is recognised). */
export const PATCH_NAMESPACE = 'embedding_lens/';
export const HIDDEN_STATE_OUTPUT = 'last_hidden_state';
/** Output names of the layer taps (see findLayerTaps): the residual stream after layer ℓ is `…layer.ℓ`. */
export const LAYER_OUTPUT_PREFIX = `${PATCH_NAMESPACE}layer.`;
/** The final norm's tensors, by kind: `…weight`, `…bias` (layer norm only, when present), `…eps`. */
export const RMS_NORM_PREFIX = `${PATCH_NAMESPACE}final_rms_norm.`;
export const LAYER_NORM_PREFIX = `${PATCH_NAMESPACE}final_layer_norm.`;
/** A scalar output whose name says why the layers were not found (the graph carries its own reason through any cache). */
export const NO_LAYERS_PREFIX = `${PATCH_NAMESPACE}no_layers: `;

/**
 * Bytes to append to a model so it returns `last_hidden_state` (a logits-only
 * export) and each decoder layer's residual stream with its final norm's tensors
 * (the layer view; see findLayerTaps), or undefined when there is nothing to add.
 */
export function hiddenStatePatch(model: Uint8Array): Uint8Array | undefined {
  const graph = readGraph(model);
  if (graph.outputs.some((o) => o.startsWith(PATCH_NAMESPACE))) return undefined;
  return patchForNodes(graph.nodes);
}

/** The same patch from the node list alone (e.g. as a StreamingNodeReader read it while the file streamed in). */
export function patchForNodes(nodes: readonly GraphNode[]): Uint8Array | undefined {
  // Patched already (e.g. as the body was split into graph + external data): nothing to add twice.
  if (nodes.some((node) => node.outputs.some((o) => o.startsWith(PATCH_NAMESPACE)))) return undefined;
  const graph = indexGraph(nodes);
  const graphParts: [number, Uint8Array][] = [];
  const addOutput = (node: Uint8Array, name: string) => {
    graphParts.push([FIELD.graph.node, node], [FIELD.graph.output, message([[FIELD.valueInfo.name, name]])]);
  };
  const identity = (from: string, to: string) =>
    message([
      [FIELD.node.input, from],
      [FIELD.node.output, to],
      [FIELD.node.name, `${PATCH_NAMESPACE}${to}`],
      [FIELD.node.opType, 'Identity'],
    ]);
  // A residual sum the graph never materialises (a fused final skip-norm keeps only its normed output).
  const sum = (summands: string[], to: string) =>
    message([
      ...summands.map((input): [number, string] => [FIELD.node.input, input]),
      [FIELD.node.output, to],
      [FIELD.node.name, `${PATCH_NAMESPACE}${to}`],
      [FIELD.node.opType, 'Sum'],
    ]);
  const hidden = graph.producer.has('logits') ? findHiddenStateName(graph) : undefined;
  const hasHidden = graph.producer.has(HIDDEN_STATE_OUTPUT);
  if (hidden && !hasHidden) addOutput(identity(hidden, HIDDEN_STATE_OUTPUT), HIDDEN_STATE_OUTPUT);
  // Layer taps: not for graphs exported with their own per-layer outputs (the demo pair), nor for graphs with no final hidden state.
  const exported = graph.producer.has('layer_1');
  const finalState = hasHidden ? HIDDEN_STATE_OUTPUT : hidden;
  if (!exported && finalState) {
    const taps = findLayerTaps(graph, finalState);
    if ('reason' in taps) addOutput(constantNode(`${NO_LAYERS_PREFIX}${taps.reason}`, 0), `${NO_LAYERS_PREFIX}${taps.reason}`);
    else {
      for (const [i, tap] of taps.layers.entries()) {
        const output = `${LAYER_OUTPUT_PREFIX}${i + 1}`;
        addOutput(typeof tap === 'string' ? identity(tap, output) : sum(tap.sum, output), output);
      }
      const prefix = taps.norm.kind === 'rms' ? RMS_NORM_PREFIX : LAYER_NORM_PREFIX;
      addOutput(identity(taps.norm.weight, `${prefix}weight`), `${prefix}weight`);
      if (taps.norm.bias) addOutput(identity(taps.norm.bias, `${prefix}bias`), `${prefix}bias`);
      const eps = `${prefix}eps`;
      addOutput(typeof taps.norm.eps === 'number' ? constantNode(eps, taps.norm.eps) : identity(taps.norm.eps, eps), eps);
    }
  }
  if (graphParts.length === 0) return undefined;
  return message([[FIELD.model.graph, message(graphParts)]]);
}

/** A Constant node that outputs the float scalar `value` as `name`. */
function constantNode(name: string, value: number): Uint8Array {
  const raw = new Uint8Array(4);
  new DataView(raw.buffer).setFloat32(0, value, true);
  const tensor = concatBytes([varintField(FIELD.tensor.dataType, ENUM.dataTypeFloat), message([[FIELD.tensor.rawData, raw]])]);
  const attribute = concatBytes([
    message([
      [FIELD.attribute.name, 'value'],
      [FIELD.attribute.tensor, tensor],
    ]),
    varintField(FIELD.attribute.type, ENUM.attributeTypeTensor),
  ]);
  return message([
    [FIELD.node.output, name],
    [FIELD.node.name, `${PATCH_NAMESPACE}constant ${name}`],
    [FIELD.node.opType, 'Constant'],
    [FIELD.node.attribute, attribute],
  ]);
}

/** Ops that carry subgraphs, which may read any tensor by name: a graph with one is not pruned. */
const SUBGRAPH_OPS = new Set(['If', 'Loop', 'Scan']);

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
  const graph: Field[] = [];
  for (const field of fields(model)) {
    if (field.number === FIELD.model.graph && field.wire === WIRE.length) graph.push(...fields(field.payload));
    else (graph.length ? after : before).push(field.raw);
  }
  const outputName = (f: Field) => strings(f.payload, FIELD.valueInfo.name)[0];
  const outputs = graph.filter((f) => f.number === FIELD.graph.output);
  if (!outputs.some((f) => drop.includes(outputName(f)))) return model;
  const nodes = graph.filter((f) => f.number === FIELD.graph.node).map((f) => ({ field: f, node: readNode(f.payload) }));
  if (nodes.some(({ node }) => SUBGRAPH_OPS.has(node.opType))) return model;
  const needed = new Set(outputs.map(outputName).filter((name) => !drop.includes(name)));
  const live = new Set<Field>();
  for (const { field, node } of [...nodes].reverse()) {
    if (!node.outputs.some((o) => needed.has(o))) continue;
    live.add(field);
    for (const input of node.inputs) if (input) needed.add(input);
  }
  const kept = graph.filter((f) => {
    if (f.number === FIELD.graph.node) return live.has(f);
    if (f.number === FIELD.graph.output) return !drop.includes(outputName(f));
    if (f.number === FIELD.graph.initializer) return needed.has(strings(f.payload, FIELD.tensor.name)[0] ?? '');
    return true;
  });
  return concatBytes([...before, message([[FIELD.model.graph, concatBytes(kept.map((f) => f.raw))]]), ...after]);
}
