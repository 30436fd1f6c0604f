import { describe, expect, it } from 'vitest';
import { ortThreads } from './ortThreads';

describe('ortThreads', () => {
  it('takes every core up to 4 on an isolated page', () => {
    expect(ortThreads({ workerName: 'lens-models', isolated: true, cores: 2 })).toBe(2);
    expect(ortThreads({ workerName: 'lens-models', isolated: true, cores: 16 })).toBe(4);
    expect(ortThreads({ workerName: 'lens-models', isolated: true, cores: undefined })).toBe(1);
  });
  it('runs one thread without cross-origin isolation (no SharedArrayBuffer), whatever is asked', () => {
    expect(ortThreads({ workerName: 'lens-models threads=4', isolated: false, cores: 8 })).toBe(1);
  });
  it('follows threads=N from the page, within 1..4', () => {
    expect(ortThreads({ workerName: 'lens-models threads=1', isolated: true, cores: 8 })).toBe(1);
    expect(ortThreads({ workerName: 'lens-models ort=nojspi threads=9', isolated: true, cores: 2 })).toBe(4);
    expect(ortThreads({ workerName: 'lens-models threads=0', isolated: true, cores: 2 })).toBe(2);
  });
});
