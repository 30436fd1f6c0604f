import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { analyzeTexts } from './commands';

// The content-token metrics of the dataset analysis against an independent Python implementation
// (tools/reference/content_fixtures.py: its own BPE, numpy ONNX interpreter, content filter and metrics).
// Regenerate the fixture when the demo pair changes:
//   /usr/bin/python3 tools/reference/content_fixtures.py models/demo
const fixture = JSON.parse(readFileSync('cli/__fixtures__/content-metrics-demo.json', 'utf8'));

describe('content Hit@10, LAR, GAR and the top-k frequent share match the independent reference (demo pair)', () => {
  it(`on the first ${fixture.texts.length} STS-B test sentences, within 1e-4`, async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let report: Awaited<ReturnType<typeof analyzeTexts>>['report'];
    try {
      ({ report } = await analyzeTexts({ pair: 'demo' }, fixture.texts, fixture.k));
    } finally {
      stderr.mockRestore();
    }
    const close = (actual: number, expected: number, what: string) => expect(Math.abs(actual - expected), what).toBeLessThanOrEqual(1e-4);
    for (const key of ['embed', 'base', 'baseAdjusted'] as const) {
      const expected = fixture.content[key];
      expect(report.content[key].n, `${key}: texts with a content token`).toBe(expected.n);
      close(report.content[key].hit10, expected.hit10, `${key} content Hit@10`);
      close(report.content[key].lar, expected.lar, `${key} content LAR`);
      close(report.content[key].gar, expected.gar, `${key} content GAR`);
      close(report.frequentShare[key], fixture.frequentShare[key], `${key} top-k frequent share`);
    }
    // The metrics say something on this pair: not every text's top-10 holds a content token.
    expect(report.content.embed.hit10).toBeGreaterThan(report.content.base.hit10);
  });
});
