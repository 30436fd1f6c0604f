import { describe, expect, it } from 'vitest';
import { lambdaCorrection } from './linkCheck';

describe('λ against the slider', () => {
  it('clamps λ to the slider, both signs', () => {
    expect(lambdaCorrection(1000, 2.3)).toEqual({ lambda: 5, message: expect.stringContaining('set to 5') });
    expect(lambdaCorrection(-1000, 0.2)?.lambda).toBe(-1);
    expect(lambdaCorrection(0.5, 0.2)).toBeUndefined();
  });
});
