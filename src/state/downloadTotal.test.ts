import { describe, expect, it } from 'vitest';
import { downloadTotal } from './downloadTotal';

const planned = {
  complete: true,
  files: [
    { file: 'demo/embed/onnx/model.onnx', bytes: 10_000_000 },
    { file: 'demo/base/onnx/model.onnx', bytes: 10_000_000 },
    { file: 'demo/lm_head.f16', bytes: 2_600_000 },
  ],
};

describe('downloadTotal', () => {
  it('is the sum of the planned files before any has started', () => {
    expect(downloadTotal({}, planned)).toEqual({ loaded: 0, total: 22_600_000, exact: true });
  });

  it('keeps a finished file counted at its size (transformers.js says "done" without one)', () => {
    const files = {
      'demo/embed/onnx/model.onnx': { file: 'demo/embed/onnx/model.onnx', loaded: 10_000_000, total: 10_000_000, done: true },
      'demo/base/onnx/model.onnx': { file: 'demo/base/onnx/model.onnx', loaded: 0, total: 0, done: true },
      'demo/lm_head.f16': { file: 'demo/lm_head.f16', loaded: 1_000_000, total: 2_600_000, done: false },
    };
    expect(downloadTotal(files, planned)).toEqual({ loaded: 21_000_000, total: 22_600_000, exact: true });
  });

  it('is a floor when a size is unknown or a file was not planned', () => {
    const unknown = { complete: false, files: [{ file: 'a', bytes: 5 }, { file: 'b' }] };
    expect(downloadTotal({ b: { file: 'b', loaded: 3, total: 0, done: false } }, unknown)).toEqual({ loaded: 3, total: 8, exact: false });
    const extra = { c: { file: 'c', loaded: 1, total: 4, done: false } };
    expect(downloadTotal(extra, planned)).toMatchObject({ total: 22_600_004, exact: false });
  });

  it("takes a Hub pair's estimate as the floor until the files seen pass it", () => {
    expect(downloadTotal({ x: { file: 'x', loaded: 10, total: 100, done: false } }, undefined, 1_000)).toEqual({ loaded: 10, total: 1_000, exact: false });
    expect(downloadTotal({ x: { file: 'x', loaded: 10, total: 2_000, done: false } }, undefined, 1_000)).toEqual({ loaded: 10, total: 2_000, exact: false });
  });
});
