import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexGraph, readGraph, StreamingNodeReader } from './graph';
import { hiddenStatePatch, patchForNodes } from './patch';
import { FIELD, message, NotOnnxError } from './wire';

// A Qwen3-shaped causal-LM export that returns only logits (tools/test_pair/make_shaped_pairs.py).
const SHAPES = resolve(import.meta.dirname, '../../../models/test-shapes');
const logitsOnly = readFileSync(join(SHAPES, 'qwen3-base/onnx/model.onnx'));

/** A serialized NodeProto. */
const node = (opType: string, inputs: string[], outputs: string[], attributes: Uint8Array[] = []) =>
  message([
    ...inputs.map((i) => [FIELD.node.input, i] as const),
    ...outputs.map((o) => [FIELD.node.output, o] as const),
    [FIELD.node.opType, opType],
    ...attributes.map((a) => [FIELD.node.attribute, a] as const),
  ]);

describe('readGraph', () => {
  it('merges every graph occurrence, as protobuf does, and reads float attributes', () => {
    const epsilon = new Uint8Array(5);
    epsilon[0] = (FIELD.attribute.float << 3) | 5;
    new DataView(epsilon.buffer).setFloat32(1, 1e-6, true);
    const attribute = Uint8Array.from([...message([[FIELD.attribute.name, 'epsilon']]), ...epsilon]);
    const first = message([[FIELD.model.graph, message([[FIELD.graph.node, node('SimplifiedLayerNormalization', ['x', 'w'], ['h'], [attribute])]])]]);
    const second = message([
      [
        FIELD.model.graph,
        message([
          [FIELD.graph.node, node('Identity', ['h'], ['out'])],
          [FIELD.graph.output, message([[FIELD.valueInfo.name, 'out']])],
        ]),
      ],
    ]);
    const graph = readGraph(Uint8Array.from([...first, ...second]));
    expect(graph.outputs).toEqual(['out']);
    expect(graph.nodes.map((n) => n.opType)).toEqual(['SimplifiedLayerNormalization', 'Identity']);
    expect(graph.nodes[0].inputs).toEqual(['x', 'w']);
    expect(graph.nodes[0].floats?.epsilon).toBeCloseTo(1e-6, 12);
    expect(graph.nodes[1].floats).toBeUndefined();
  });

  it('refuses bytes that are not an ONNX model', () => {
    expect(() => readGraph(new TextEncoder().encode('<!doctype html><html>not a model</html>'))).toThrow(NotOnnxError);
    expect(() => readGraph(logitsOnly.subarray(0, 1000))).toThrow(NotOnnxError);
    expect(() => readGraph(message([[1, 'a string, no graph']]))).toThrow(/no graph/);
  });
});

describe('indexGraph', () => {
  it('maps each tensor to the node that makes it and the nodes that read it (once per input slot)', () => {
    const nodes = [
      { opType: 'Mul', inputs: ['x', 'x'], outputs: ['x2'] },
      { opType: 'ReduceMean', inputs: ['x2'], outputs: ['m'] },
      { opType: 'Add', inputs: ['x', 'm'], outputs: ['y'] },
    ];
    const { producer, consumers } = indexGraph(nodes);
    expect(producer.get('m')).toBe(nodes[1]);
    expect(producer.has('x')).toBe(false); // a graph input
    expect(consumers.get('x')).toEqual([nodes[0], nodes[0], nodes[2]]);
    expect(consumers.get('y')).toBeUndefined(); // a graph output
  });

  it('indexes every node of a real export', () => {
    const { nodes } = readGraph(logitsOnly);
    const { producer, consumers } = indexGraph(nodes);
    expect(producer.get('logits')?.opType).toBe('MatMul');
    const reads = [...consumers.values()].reduce((n, readers) => n + readers.length, 0);
    expect(reads).toBe(nodes.reduce((n, node) => n + node.inputs.length, 0));
  });
});

describe('StreamingNodeReader (the same patch, read as the file arrives)', () => {
  const streamed = (model: Uint8Array, chunkSizes: () => number) => {
    const reader = new StreamingNodeReader();
    let fedWhenDone = -1;
    for (let pos = 0; pos < model.length; ) {
      const end = Math.min(model.length, pos + chunkSizes());
      reader.push(model.subarray(pos, end));
      pos = end;
      if (reader.done && fedWhenDone < 0) fedWhenDone = pos;
    }
    return { reader, fedWhenDone };
  };

  it('gives the whole-file patch for any chunking, and stops keeping bytes after the node list', () => {
    const expected = hiddenStatePatch(logitsOnly);
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return 1 + (seed % 5000);
    };
    for (const sizes of [() => 1, () => 7, () => 65536, random]) {
      const { reader, fedWhenDone } = streamed(logitsOnly, sizes);
      expect(reader.nodes.length).toBe(readGraph(logitsOnly).nodes.length);
      expect(patchForNodes(reader.nodes)).toEqual(expected);
      // The weights come after the nodes: most of the file streams past unkept.
      expect(fedWhenDone).toBeGreaterThan(0);
      expect(fedWhenDone).toBeLessThan(logitsOnly.length);
    }
  });

  it('a model with hidden states of its own gets the same layer-tap patch as from the whole file', () => {
    const embedder = readFileSync(join(SHAPES, 'qwen3-embed/onnx/model.onnx'));
    expect(patchForNodes(streamed(embedder, () => 4096).reader.nodes)).toEqual(hiddenStatePatch(embedder));
  });

  it('no patch for an exported body with its own per-layer outputs (the demo pair)', () => {
    const demo = readFileSync(join(SHAPES, '../demo/base/onnx/model.onnx'));
    expect(patchForNodes(streamed(demo, () => 65536).reader.nodes)).toBeUndefined();
  });
});
