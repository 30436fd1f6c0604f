import { describe, expect, it } from 'vitest';
import { lambdaCorrection, linkCorrections } from './linkCheck';

describe('link corrections', () => {
  it('names each value a link had that the app cannot show', () => {
    const out = linkCorrections('?view=nope&k=7&lambda=abc&backend=gpu&dtype=fp8');
    expect(out).toHaveLength(5);
    expect(out[0]).toContain('view=nope');
    expect(out[1]).toContain('k=7');
  });
  it('says nothing of a good link', () => {
    expect(linkCorrections('?view=analysis&k=20&lambda=-1.5&backend=wasm&text=hi')).toEqual([]);
  });
  it('clamps λ to the slider, both signs', () => {
    expect(lambdaCorrection(1000, 2.3)).toEqual({ lambda: 5, message: expect.stringContaining('set to 5') });
    expect(lambdaCorrection(-1000, 0.2)?.lambda).toBe(-1);
    expect(lambdaCorrection(0.5, 0.2)).toBeUndefined();
  });
});
