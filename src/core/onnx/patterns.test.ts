import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type GraphNode, indexGraph, readGraph } from './graph';
import { findHiddenStateName, findLayerTaps } from './patterns';

const SHAPES = resolve(import.meta.dirname, '../../../models/test-shapes');

const n = (opType: string, inputs: string[], outputs: string[], floats?: Record<string, number>): GraphNode => ({ opType, inputs, outputs, floats });

/** One pre-norm decoder layer on `x` (its norms read x; attention's Softmax inside), giving `out`. */
const layer = (x: string, out: string): GraphNode[] => [
  n('SimplifiedLayerNormalization', [x, `${out}.ln1.w`], [`${out}.n1`]),
  n('MatMul', [`${out}.n1`, `${out}.wq`], [`${out}.q`]),
  n('Softmax', [`${out}.q`], [`${out}.p`]),
  n('MatMul', [`${out}.p`, `${out}.wo`], [`${out}.attn`]),
  n('Add', [x, `${out}.attn`], [`${out}.mid`]),
  n('SimplifiedLayerNormalization', [`${out}.mid`, `${out}.ln2.w`], [`${out}.n2`]),
  n('MatMul', [`${out}.n2`, `${out}.wup`], [`${out}.mlp`]),
  n('Add', [`${out}.mlp`, `${out}.mid`], [out]),
];

/** x · 1/sqrt(mean(x²) + ε) · w, as torch.onnx writes an RMSNorm. */
const decomposedRmsNorm = (x: string, h: string): GraphNode[] => [
  n('Pow', [x, 'two'], ['sq']),
  n('ReduceMean', ['sq'], ['ms']),
  n('Add', ['ms', 'eps'], ['mse']),
  n('Sqrt', ['mse'], ['rt']),
  n('Reciprocal', ['rt'], ['r']),
  n('Mul', [x, 'r'], ['scaled']),
  n('Mul', ['norm.w', 'scaled'], [h]),
];

const decoder = (lmHead: GraphNode[]) => [
  n('Gather', ['embed', 'ids'], ['x0']),
  ...layer('x0', 'x1'),
  ...layer('x1', 'x2'),
  ...decomposedRmsNorm('x2', 'h'),
  ...lmHead,
];

describe('findHiddenStateName', () => {
  it('finds what the LM head multiplies, through casts', () => {
    const graph = indexGraph(decoder([n('Cast', ['h'], ['h16']), n('MatMul', ['h16', 'W'], ['logits16']), n('Cast', ['logits16'], ['logits'])]));
    expect(findHiddenStateName(graph)).toBe('h16');
  });

  it('finds h behind a quantized LM head (DynamicQuantizeLinear → MatMulInteger → Cast → Mul)', () => {
    const graph = indexGraph(
      decoder([
        n('DynamicQuantizeLinear', ['h'], ['hq', 'hs', 'hz']),
        n('MatMulInteger', ['hq', 'Wq', 'hz'], ['acc']),
        n('Cast', ['acc'], ['accf']),
        n('Mul', ['hs', 'Ws'], ['scale']),
        n('Mul', ['accf', 'scale'], ['logits']),
      ]),
    );
    expect(findHiddenStateName(graph)).toBe('h');
  });

  it('finds nothing when logits are not a matrix product', () => {
    expect(findHiddenStateName(indexGraph(decoder([n('Relu', ['h'], ['logits'])])))).toBeUndefined();
    expect(findHiddenStateName(indexGraph(decoder([])))).toBeUndefined();
  });

  it('finds the final norm of a real logits-only export', () => {
    const { nodes } = readGraph(readFileSync(join(SHAPES, 'qwen3-base/onnx/model.onnx')));
    expect(findHiddenStateName(indexGraph(nodes))).toBe('/norm/Mul_1_output_0');
  });
});

describe('findLayerTaps (the residual chain)', () => {
  it('finds each layer output and the decomposed final RMSNorm', () => {
    expect(findLayerTaps(indexGraph(decoder([])), 'h')).toEqual({ layers: ['x1', 'x2'], norm: { kind: 'rms', weight: 'norm.w', eps: 'eps' } });
  });

  it('reads a fused final norm with its epsilon, or the ONNX default', () => {
    const fused = (floats?: Record<string, number>) => [...decoder([]).slice(0, -7), n('LayerNormalization', ['x2', 'g', 'b'], ['h'], floats)];
    expect(findLayerTaps(indexGraph(fused({ epsilon: 1e-6 })), 'h')).toEqual({
      layers: ['x1', 'x2'],
      norm: { kind: 'layer', weight: 'g', bias: 'b', eps: 1e-6 },
    });
    expect(findLayerTaps(indexGraph(fused()), 'h')).toMatchObject({ norm: { eps: 1e-5 } });
  });

  it('walks fused skip-norms (output_3 is the stream; the final one keeps only its normed output)', () => {
    // onnxruntime-genai's model builder: SimplifiedLayerNormalization first, then one skip-norm per norm.
    const skip = (branch: string, stream: string, out: string, sum = true) =>
      n('SkipSimplifiedLayerNormalization', [branch, stream, `${out}.w`], sum ? [`${out}.n`, '', '', `${out}.sum`] : [`${out}.n`], { epsilon: 1e-6 });
    const attention = (x: string, out: string) => [
      n('MatMul', [x, `${out}.wq`], [`${out}.q`]),
      n('GroupQueryAttention', [`${out}.q`, `${out}.q`, `${out}.q`], [`${out}.a`]),
      n('MatMul', [`${out}.a`, `${out}.wo`], [out]),
    ];
    const mlp = (x: string, out: string) => [n('MatMul', [x, `${out}.wu`], [`${out}.u`]), n('MatMul', [`${out}.u`, `${out}.wd`], [out])];
    const graph = [
      n('Gather', ['embed', 'ids'], ['x0']),
      n('SimplifiedLayerNormalization', ['x0', 'ln0.w'], ['ln0.n']),
      ...attention('ln0.n', 'a0'),
      skip('a0', 'x0', 'post0'),
      ...mlp('post0.n', 'm0'),
      skip('m0', 'post0.sum', 'in1'),
      ...attention('in1.n', 'a1'),
      skip('a1', 'in1.sum', 'post1'),
      ...mlp('post1.n', 'm1'),
      skip('m1', 'post1.sum', 'final', false),
    ];
    expect(findLayerTaps(indexGraph(graph), 'final.n')).toEqual({
      layers: ['in1.sum', { sum: ['m1', 'post1.sum'] }],
      norm: { kind: 'rms', weight: 'final.w', eps: 1e-6 },
    });
    // The sum kept as output_3 (the optimizer keeps it where something else reads it) is tapped as it is.
    const kept = graph.map((node) => (node.outputs[0] === 'final.n' ? { ...node, outputs: ['final.n', '', '', 'final.sum'] } : node));
    expect(findLayerTaps(indexGraph(kept), 'final.n')).toMatchObject({ layers: ['in1.sum', 'final.sum'] });
  });

  it('says why when the graph defeats it, naming the node', () => {
    const skip = [{ ...n('SkipSimplifiedLayerNormalization', ['x', 'res', 'w'], ['h']), name: '/model/final_norm' }];
    expect(findLayerTaps(indexGraph(skip), 'h')).toEqual({
      reason: 'neither input of the final norm (node /model/final_norm, SkipSimplifiedLayerNormalization) is the residual stream',
    });
    const unknown = [{ ...n('Erf', ['x'], ['h']), name: '/model/odd' }];
    expect(findLayerTaps(indexGraph(unknown), 'h')).toEqual({ reason: 'the final norm is a Erf this app does not recognise (node /model/odd, Erf)' });
    const noLayers = [n('SimplifiedLayerNormalization', ['x', 'w'], ['h'])];
    expect(findLayerTaps(indexGraph(noLayers), 'h')).toEqual({
      reason: 'no residual stream (a chain of Adds or skip-norms) leads to the final norm (a SimplifiedLayerNormalization node)',
    });
    const noAttention = decoder([]).map((node) => (node.opType === 'Softmax' ? { ...node, opType: 'Relu' } : node));
    expect(findLayerTaps(indexGraph(noAttention), 'h')).toEqual({ reason: expect.stringMatching(/none of the 4 branches .* computes attention/) });
    expect(findLayerTaps(indexGraph(decoder([])), 'nowhere')).toEqual({ reason: 'the final hidden state has no producing node' });
  });
});
