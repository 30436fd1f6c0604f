import { describe, expect, it } from 'vitest';
import { choosePrecision } from './precision';

describe('choosePrecision', () => {
  it('uses fp16 only on WebGPU with shader-f16 and fp16 exports of both bodies', () => {
    expect(choosePrecision('webgpu', true, true)).toBe('fp16');
    expect(choosePrecision('webgpu', false, true)).toBe('fp32'); // e.g. SwiftShader: no shader-f16
    expect(choosePrecision('webgpu', true, false)).toBe('fp32');
    expect(choosePrecision('wasm', true, true)).toBe('fp32');
    expect(choosePrecision('cpu', true, true)).toBe('fp32');
  });
});
