import { describe, expect, it } from 'vitest';
import { jspiRefused, ortThreads, sampleBatch, stalledStep } from './workerOptions';

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
    expect(ortThreads({ workerName: 'lens-models subthreads=3', isolated: true, cores: 2 })).toBe(2);
    // bench realsize hands the option alone.
    expect(ortThreads({ workerName: 'threads=3', isolated: true, cores: 2 })).toBe(3);
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

describe('the seams', () => {
  it('stalls a download only for debug=stall-download, and leaves JSPI only for ort=nojspi', () => {
    expect(stalledStep('lens-models debug=stall-download')).toBe('download');
    expect(stalledStep('lens-models debug=lose-device')).toBeUndefined();
    expect(jspiRefused('lens-models ort=nojspi threads=2')).toBe(true);
    expect(jspiRefused('lens-models')).toBe(false);
  });
});
