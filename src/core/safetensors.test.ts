import { describe, expect, it } from 'vitest';
import { makeLmHead, project } from './lmHead';
import { headerLength, NotSafetensorsError, parseHeader, shardFor, tensorRange, tensorToHeadData, writeSafetensors } from './safetensors';

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const bf16 = (values: number[]) => {
  const words = new Uint32Array(Float32Array.from(values).buffer);
  return new Uint8Array(Uint16Array.from(words, (w) => w >>> 16).buffer);
};

describe('safetensors', () => {
  const file = writeSafetensors(
    {
      'model.norm.weight': { dtype: 'F32', shape: [3], data: f32([1, 1, 1]) },
      'model.embed_tokens.weight': { dtype: 'BF16', shape: [4, 3], data: bf16([1, 0, 0, 0, 2, 0, 0, 0, 0.5, -1, -1, -1]) },
    },
    { format: 'pt' },
  );

  it('reads the header, then exactly one tensor by its byte range', () => {
    const length = headerLength(file.subarray(0, 8));
    const header = parseHeader(file.subarray(8, 8 + length));
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors['model.embed_tokens.weight'].shape).toEqual([4, 3]);
    const [start, end] = tensorRange(header, 'model.embed_tokens.weight');
    expect(end - start).toBe(4 * 3 * 2);
    const { data, dtype } = tensorToHeadData(file.subarray(start, end), 'BF16');
    const head = makeLmHead(data, 4, 3, dtype);
    expect(Array.from(project(head, [1, 2, 4]))).toEqual([1, 4, 2, -7]);
  });

  it('refuses a file that is not what its name says', () => {
    const html = new TextEncoder().encode('<!doctype html><html>…</html>');
    expect(() => headerLength(html, 'model.safetensors')).toThrow(NotSafetensorsError);
    expect(() => parseHeader(new TextEncoder().encode('{"a": 1}'), 'x.safetensors')).toThrow(/tensor "a"/);
  });

  it('finds the shard of a tensor in a sharded checkpoint index', () => {
    const index = { weight_map: { 'lm_head.weight': 'model-00002-of-00002.safetensors' } };
    expect(shardFor(index, 'lm_head.weight')).toBe('model-00002-of-00002.safetensors');
    expect(shardFor(index, 'model.embed_tokens.weight')).toBeUndefined();
  });
});
