import { describe, expect, it } from 'vitest';
import { ortThreads, sampleBatch, workerOption } from './workerOptions';

describe('workerOption', () => {
  it('reads key=value from the worker name', () => {
    expect(workerOption('lens-models ort=nojspi threads=2', 'threads')).toBe('2');
    expect(workerOption('lens-models ort=nojspi', 'threads')).toBeUndefined();
    expect(workerOption('lens-models subthreads=3', 'threads')).toBeUndefined();
  });
});

describe('ortThreads', () => {
  it('takes every core up to 4 on an isolated page', () => {
    expect(ortThreads({ workerName: 'lens-models', isolated: true, cores: 2 })).toBe(2);
    expect(ortThreads({ workerName: 'lens-models', isolated: true, cores: 16 })).toBe(4);
    expect(ortThreads({ workerName: 'lens-models', isolated: true, cores: undefined })).toBe(1);
  });
  it('runs one thread without SharedArrayBuffer, whatever is asked', () => {
    expect(ortThreads({ workerName: 'lens-models threads=4', isolated: false, cores: 8 })).toBe(1);
  });
  it('follows threads=N from the page, within 1..4', () => {
    expect(ortThreads({ workerName: 'lens-models threads=1', isolated: true, cores: 8 })).toBe(1);
    expect(ortThreads({ workerName: 'lens-models ort=nojspi threads=9', isolated: true, cores: 2 })).toBe(4);
    expect(ortThreads({ workerName: 'lens-models threads=0', isolated: true, cores: 2 })).toBe(2);
  });
});

describe('sampleBatch', () => {
  it('is the default unless batch=N asks for 1..32', () => {
    expect(sampleBatch('lens-models')).toBeUndefined();
    expect(sampleBatch('lens-models batch=4')).toBe(4);
    expect(sampleBatch('lens-models batch=99')).toBe(32);
    expect(sampleBatch('lens-models batch=x')).toBeUndefined();
  });
});
