import { describe, expect, it } from 'vitest';
import reference from './__fixtures__/reference.json';
import { makeLmHead, project } from './lmHead';
import { datasetMetrics, hitAtK, localAlignmentRate } from './metrics';
import { type Pooling, pool } from './pooling';
import { contribution, topComponents, variation } from './spectral';
import { topK } from './topk';

// Reference numbers come from tools/reference/core_fixtures.py (numpy), an
// independent implementation of the same formulas.

const close = (actual: ArrayLike<number>, expected: number[], tolerance: number) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected[i])));
  }
};

describe('pooling matches numpy', () => {
  for (const [index, c] of reference.pooling.entries()) {
    for (const method of ['last', 'mean', 'weighted-mean'] as Pooling[]) {
      it(`case ${index} ${method}`, () => {
        close(pool(c.hidden, c.mask, c.dim, method), c.expected[method], 1e-6);
      });
    }
  }
});

describe('projection matches numpy', () => {
  const p = reference.projection;
  it('float32', () => {
    const head = makeLmHead(Float32Array.from(p.float32.data), p.rows, p.cols, 'float32');
    close(project(head, p.h), p.float32.z, 1e-5);
  });
  it('float16 storage', () => {
    const head = makeLmHead(Uint16Array.from(p.float16.bits), p.rows, p.cols, 'float16');
    close(project(head, p.h), p.float16.z, 1e-5);
  });
  it('bfloat16 storage', () => {
    const head = makeLmHead(Uint16Array.from(p.bfloat16.bits), p.rows, p.cols, 'bfloat16');
    close(project(head, p.h), p.bfloat16.z, 1e-5);
  });
});

describe('top-k and metrics match numpy', () => {
  it('top-k ids', () => {
    expect(Array.from(topK(reference.topk.scores, reference.topk.k).ids)).toEqual(reference.topk.ids);
  });
  it('Hit@K, LAR per text and over the dataset, GAR', () => {
    const m = reference.metrics;
    m.cases.forEach((c, i) => {
      expect(hitAtK(c.aligned, c.textIds, m.k)).toBe(m.hit[i]);
      expect(localAlignmentRate(c.aligned, c.textIds)).toBeCloseTo(m.lar[i], 12);
    });
    const all = datasetMetrics(m.cases, m.k);
    expect(all.hitAtK).toBeCloseTo(m.meanHit, 12);
    expect(all.lar).toBeCloseTo(m.meanLar, 12);
    expect(all.gar).toBeCloseTo(m.gar, 12);
  });
});

describe('spectral analysis matches numpy', () => {
  const s = reference.spectral;
  const components = topComponents(s.base, s.n);
  it('singular values, vectors (sign toward the mean) and energy shares', () => {
    close(components.singularValues, s.singularValues, 1e-9);
    for (const [j, u] of components.vectors.entries()) close(u, s.vectors[j], 1e-7);
    close(components.shares, s.shares, 1e-9);
  });
  it('variation v_j', () => {
    close(variation(s.embed, s.base, components.vectors), s.variation, 1e-9);
  });
  it('contribution split', () => {
    const c = contribution(s.contribution.w, s.contribution.h, components.vectors[0]);
    expect(c.total).toBeCloseTo(s.contribution.total, 9);
    expect(c.principal).toBeCloseTo(s.contribution.principal, 7);
    expect(c.rest).toBeCloseTo(s.contribution.rest, 7);
  });
});
