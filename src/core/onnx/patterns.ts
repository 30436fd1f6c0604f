/**
 * Finding, from a decoder's graph alone, the tensors the app reads: the final-norm
 * hidden state h that the LM head multiplies, each layer's residual stream, and the
 * final norm's weight, bias and ε.
 *
 * The graph of a pre-norm transformer (Llama, Qwen, GPT-2 and kin), as the finders
 * walk it from the logits back up (names are tensors; x_ℓ is layer ℓ's output):
 *
 *     x_0 (embeddings)
 *      ├──► norm ─► attention ──┐   the stream entering an attention branch
 *      ▼                        │   is the previous layer's output
 *     Add ◄─────────────────────┘
 *      ├──► norm ─► MLP ────────┐   the stream is the Add input that other
 *      ▼                        │   nodes (the next norm) read too; the
 *     Add ◄─────────────────────┘   branch, the one only the Add reads
 *      │  x_1
 *      ⋮  (one attention Add and one MLP Add per layer)
 *     Add
 *      │  x_L
 *      ▼
 *     final norm (fused, or x · 1/sqrt(mean(x²) + ε) · w)
 *      │  h
 *      ▼
 *     [Cast / Identity] ─► MatMul / Gemm (the LM head) ─► logits
 *
 * onnxruntime-built exports (the Hub's Qwen3 and SmolLM2 files, docs/hub-facts.md) fuse each
 * Add with the norm after it: SkipSimplifiedLayerNormalization(branch, stream) gives the normed
 * activation (output_0) and the sum (output_3, the stream the next junction reads). The final
 * norm is such a skip-norm with no output_3: x_L is then tapped as branch + stream (patch.ts adds a Sum).
 */

import type { GraphIndex, GraphNode } from './graph';

/** Ops that pass the hidden state through unchanged in value (casts in fp16 exports). */
const PASS_THROUGH = new Set(['Cast', 'Identity']);
/**
 * Most pass-through ops followed in a row: an fp16 export casts h to float32 and
 * back at most once or twice; a longer chain is not a hidden state handed on.
 */
const MAX_PASS_THROUGH_HOPS = 4;
/** Ops that multiply h by the LM head's weights, as exporters and quantizers write them. */
const PROJECTIONS = new Set(['MatMul', 'Gemm', 'MatMulNBits', 'FusedMatMul', 'DynamicQuantizeMatMul']);
const FUSED_NORMS: Record<string, 'rms' | 'layer'> = { SimplifiedLayerNormalization: 'rms', RMSNormalization: 'rms', LayerNormalization: 'layer' };
/** ε of a fused norm with no `epsilon` attribute: the ONNX (and onnxruntime) default. */
const DEFAULT_NORM_EPSILON = 1e-5;
const ATTENTION_OPS = new Set(['Softmax', 'Attention', 'MultiHeadAttention', 'GroupQueryAttention', 'PackedAttention', 'PagedAttention', 'SparseAttention']);
/**
 * Most residual Adds walked: two per layer, so room for 2048 layers (the largest
 * models have ~130). A bound, so a graph whose Adds form a loop cannot hang the walk.
 */
const MAX_RESIDUAL_ADDS = 4096;
/**
 * Most tensors searched for attention in one branch: a layer's attention block is
 * a few dozen to a few hundred nodes (RoPE, GQA, the KV cache); the bound keeps a
 * branch that is not a layer from walking the whole graph.
 */
const MAX_BRANCH_TENSORS = 5000;

/**
 * The name of the tensor that the LM head multiplies (the final-norm hidden
 * state), or undefined when the graph has no `logits` made by a matrix product.
 */
export function findHiddenStateName(graph: GraphIndex, logits = 'logits'): string | undefined {
  const { producer } = graph;
  const skipCasts = (name: string) => producer.get(through(graph, name));
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
 * A tensor the layer view reads: a tensor of the graph, or the sum of several (a fused skip-norm's residual sum
 * when the graph does not keep its output_3, as the final norm of a fused export never does).
 */
export type Tap = string | { sum: string[] };

export interface LayerTaps {
  /** Residual stream after each decoder layer, shallow to deep (the last is the final norm's input). */
  layers: Tap[];
  norm: { kind: 'rms' | 'layer'; weight: string; bias?: string; eps: number | string };
}

/**
 * Where a branch joins the residual stream: a plain `Add`, or a fused skip-norm (onnxruntime's
 * SkipSimplifiedLayerNormalization / SkipLayerNormalization: output_0 = norm(input + skip [+ bias]),
 * output_3 = the sum itself, kept only where something else reads it).
 */
interface Junction {
  node: GraphNode;
  /** The stream entering the junction and the branch added to it. */
  stream: string;
  branch: string;
  /** The stream after it. */
  sum: Tap;
}

const SKIP_NORMS: Record<string, { kind: 'rms' | 'layer'; beta?: number; bias: number }> = {
  SkipSimplifiedLayerNormalization: { kind: 'rms', bias: 3 },
  SkipLayerNormalization: { kind: 'layer', beta: 3, bias: 4 },
};

/**
 * Finds each decoder layer's output and the final norm that makes `finalState` (the
 * hidden state the LM head reads), walking the residual chain drawn above from the
 * final norm down to the embeddings, through plain `Add`s or fused skip-norms (as the
 * Hub's onnxruntime-built exports have them: docs/hub-facts.md). Returns a reason
 * instead, naming the node it could not read, when the graph's shape defeats this:
 * the app then says so rather than guess.
 */
export function findLayerTaps(graph: GraphIndex, finalState: string): LayerTaps | { reason: string } {
  const norm = findFinalNorm(graph, through(graph, finalState));
  if ('reason' in norm) return norm;
  const junctions: Junction[] = [];
  let next: Junction | undefined = norm.junction;
  let current = norm.junction ? undefined : through(graph, norm.input);
  for (let guard = 0; guard < MAX_RESIDUAL_ADDS; guard++) {
    const junction: Junction | undefined = next ?? junctionMaking(graph, current ?? '');
    next = undefined;
    if (!junction) break;
    junctions.push(junction);
    current = through(graph, junction.stream);
  }
  junctions.reverse(); // shallow to deep
  const finalInput: Tap = norm.junction ? norm.junction.sum : norm.input;
  if (junctions.length === 0) return { reason: `no residual stream (a chain of Adds or skip-norms) leads to the final norm${nodeName(graph, finalState)}` };
  const attention = junctions.map((j) => branchHasAttention(graph, j.branch, j.stream));
  const starts = attention.map((a, i) => (a ? i : -1)).filter((i) => i >= 0);
  if (starts.length === 0)
    return {
      reason: `none of the ${junctions.length} branch${junctions.length > 1 ? 'es' : ''} added to the residual stream computes attention, so no decoder layers can be told apart`,
    };
  if (starts[0] !== 0) return { reason: `the first branch added to the residual stream (at ${nodeLabel(junctions[0].node)}) is not an attention block` };
  // Layer ℓ's output is the stream entering layer ℓ+1's attention; the last layer's is the final norm's input.
  const layers: Tap[] = [...starts.slice(1).map((i) => junctions[i].stream), finalInput];
  return { layers, norm: norm.norm };
}

/** The junction whose output is `name` (an Add, or a skip-norm's output_3), or undefined. */
function junctionMaking(graph: GraphIndex, name: string): Junction | undefined {
  const p = graph.producer.get(name);
  if (!p) return undefined;
  if (p.opType === 'Add' && p.inputs.length === 2) return junctionOf(graph, p, p.inputs as [string, string], name);
  if (SKIP_NORMS[p.opType] && p.outputs[3] === name) return junctionOf(graph, p, [p.inputs[0], p.inputs[1]], name);
  return undefined;
}

/**
 * Which of a junction's two summands is the stream: the branch is computed from the stream (it reads the
 * norm of it), so the branch's producers reach the node that made the stream; never the other way round.
 * Neither reaching the other (e.g. token + position embeddings) is no residual junction.
 */
function junctionOf(graph: GraphIndex, node: GraphNode, [a, b]: [string, string], sum: Tap): Junction | undefined {
  const made = (t: string) => graph.producer.get(through(graph, t));
  if (reaches(graph, a, made(b), b)) return { node, stream: b, branch: a, sum };
  if (reaches(graph, b, made(a), a)) return { node, stream: a, branch: b, sum };
  return undefined;
}

/**
 * Whether tensor `from` is computed from `target` (the node), or reads tensor `targetTensor`; searched among its
 * producers, at most MAX_BRANCH_TENSORS. A graph input or initializer (no producer) as the target counts as
 * reached when `from` reads that tensor.
 */
function reaches(graph: GraphIndex, from: string, target: GraphNode | undefined, targetTensor: string): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length && seen.size < MAX_BRANCH_TENSORS) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (name !== from && name === targetTensor) return true;
    const p = graph.producer.get(name);
    if (!p) continue;
    if (p === target && name !== from) return true;
    if (p === target) continue;
    queue.push(...p.inputs.filter(Boolean));
  }
  return false;
}

/** " (node <name>, <op>)" for messages, or "" when the tensor has no producer. */
function nodeName(graph: GraphIndex, tensor: string): string {
  const p = graph.producer.get(tensor);
  return p ? ` (${nodeLabel(p)})` : '';
}

function nodeLabel(node: GraphNode): string {
  return node.name ? `node ${node.name}, ${node.opType}` : `a ${node.opType} node`;
}

/** The tensor that `name` is a copy of, through up to MAX_PASS_THROUGH_HOPS casts and identities. */
function through(graph: GraphIndex, name: string): string {
  let n = name;
  for (let hops = 0; hops < MAX_PASS_THROUGH_HOPS; hops++) {
    const p = graph.producer.get(n);
    if (!p || !PASS_THROUGH.has(p.opType)) break;
    n = p.inputs[0];
  }
  return n;
}

/**
 * The final norm that produces `hidden`: a fused op, the decomposed RMSNorm x · 1/sqrt(mean(x²) + ε) · w, or a
 * fused skip-norm — then the last junction itself, whose sum is the final norm's input.
 */
function findFinalNorm(graph: GraphIndex, hidden: string): { input: string; junction?: Junction; norm: LayerTaps['norm'] } | { reason: string } {
  const { producer } = graph;
  const p = producer.get(hidden);
  if (!p) return { reason: 'the final hidden state has no producing node' };
  const fused = FUSED_NORMS[p.opType];
  if (fused) {
    const [input, weight, bias] = p.inputs;
    return { input, norm: { kind: fused, weight, bias: bias || undefined, eps: p.floats?.epsilon ?? DEFAULT_NORM_EPSILON } };
  }
  const skip = SKIP_NORMS[p.opType];
  if (skip) {
    if (p.outputs[0] !== hidden) return { reason: `the final hidden state is not the normalised output of ${nodeLabel(p)}` };
    const bias = p.inputs[skip.bias];
    const sum: Tap = p.outputs[3] || { sum: [p.inputs[0], p.inputs[1], ...(bias ? [bias] : [])] };
    const junction = junctionOf(graph, p, [p.inputs[0], p.inputs[1]], sum);
    if (!junction) return { reason: `neither input of the final norm (${nodeLabel(p)}) is the residual stream` };
    const beta = skip.beta === undefined ? undefined : p.inputs[skip.beta] || undefined;
    return { input: '', junction, norm: { kind: skip.kind, weight: p.inputs[2], bias: beta, eps: p.floats?.epsilon ?? DEFAULT_NORM_EPSILON } };
  }
  if (p.opType !== 'Mul') return { reason: `the final norm is a ${p.opType || 'node'} this app does not recognise (${nodeLabel(p)})` };
  // w · normed (either order); w has no producer (an initializer) or comes from a Constant.
  const isWeight = (name: string) => !producer.has(name) || producer.get(name)?.opType === 'Constant';
  const wi = p.inputs.findIndex(isWeight);
  if (wi < 0) return { reason: 'the final norm multiplies no weight tensor' };
  const scaled = producer.get(through(graph, p.inputs[1 - wi]));
  // x / sqrt(mean(x²) + ε), written as a division.
  if (scaled?.opType === 'Div') {
    const sqrt = producer.get(through(graph, scaled.inputs[1]));
    const eps = sqrt?.opType === 'Sqrt' ? epsOfMeanSquare(graph, sqrt) : undefined;
    if (eps !== undefined) return { input: scaled.inputs[0], norm: { kind: 'rms', weight: p.inputs[wi], eps } };
  }
  if (scaled?.opType !== 'Mul') return { reason: 'the final norm is not x · 1/sqrt(mean(x²) + ε) · w' };
  // scaled = x · r, where r = 1/sqrt(mean(x²) + ε) (Div(1, Sqrt) or Reciprocal(Sqrt)).
  for (const [xi, ri] of [
    [0, 1],
    [1, 0],
  ]) {
    const eps = rmsEps(graph, scaled.inputs[ri]);
    if (eps !== undefined) return { input: scaled.inputs[xi], norm: { kind: 'rms', weight: p.inputs[wi], eps } };
  }
  return { reason: 'the final norm is not x · 1/sqrt(mean(x²) + ε) · w' };
}

/** ε of r = 1/sqrt(ReduceMean(x²) + ε), as the name of the tensor holding it; undefined when r is not that. */
function rmsEps(graph: GraphIndex, r: string): string | undefined {
  const rNode = graph.producer.get(through(graph, r));
  let sqrt: GraphNode | undefined;
  if (rNode?.opType === 'Reciprocal') sqrt = graph.producer.get(through(graph, rNode.inputs[0]));
  else if (rNode?.opType === 'Div') sqrt = graph.producer.get(through(graph, rNode.inputs[1]));
  else if (rNode?.opType === 'Sqrt') return undefined;
  if (sqrt?.opType !== 'Sqrt') return undefined;
  return epsOfMeanSquare(graph, sqrt);
}

/** ε of sqrt(ReduceMean(x²) + ε): the Add's other input. */
function epsOfMeanSquare(graph: GraphIndex, sqrt: GraphNode): string | undefined {
  const add = graph.producer.get(through(graph, sqrt.inputs[0]));
  if (add?.opType !== 'Add') return undefined;
  const meanIndex = add.inputs.findIndex((i) => graph.producer.get(through(graph, i))?.opType === 'ReduceMean');
  return meanIndex < 0 ? undefined : add.inputs[1 - meanIndex];
}

/**
 * Whether the branch added to `stream` computes attention, looked for among its producers without crossing the
 * stream: neither the tensor nor the node that made it (a fused skip-norm also makes the normed copy the branch reads).
 */
function branchHasAttention(graph: GraphIndex, branch: string, stream: string): boolean {
  const streamNode = graph.producer.get(through(graph, stream));
  const seen = new Set<string>([stream]);
  const queue = [branch];
  while (queue.length && seen.size < MAX_BRANCH_TENSORS) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const p = graph.producer.get(name);
    if (!p || p === streamNode) continue;
    if (ATTENTION_OPS.has(p.opType)) return true;
    queue.push(...p.inputs.filter(Boolean));
  }
  return false;
}
