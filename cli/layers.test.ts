import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lensCommand } from '../tools/runCommand';

function lens(args: string[], input?: string) {
  const result = spawnSync(...lensCommand(args), { encoding: 'utf8', input, timeout: 180_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const scratch = mkdtempSync(join(tmpdir(), 'lens-layers-'));
const file = (name: string, content: string) => {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
};
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('lens layers (the JSON contract)', () => {
  const input = file('texts.txt', 'A man is playing a guitar on the stage.\nThe cat sat on the mat.\n');
  for (const lambda of ['0', 'v1']) {
    it(`one object per text, layers shallow to deep, the last identical to lens align's top tokens (--lambda ${lambda})`, () => {
      const layers = lens(['layers', '--pair', 'demo', '--input', input, '--k', '10', '--lambda', lambda, '--json']);
      const align = lens(['align', '--pair', 'demo', '--input', input, '--k', '10', '--lambda', lambda, '--json']);
      expect(layers.code, layers.stderr).toBe(0);
      const rows = jsonLines(layers.stdout);
      const aligned = jsonLines(align.stdout);
      expect(rows).toHaveLength(2);
      for (const [i, row] of rows.entries()) {
        expect(row.text).toBe(aligned[i].text);
        expect(row.layers.map((l: { layer: number }) => l.layer)).toEqual([1, 2, 3, 4]);
        for (const l of row.layers) {
          for (const model of ['embed', 'base']) {
            expect(l[model].top).toHaveLength(10);
            for (const t of l[model].top) expect(Object.keys(t).sort()).toEqual(['id', 'score', 'token']);
            expect([0, 1]).toContain(l.metrics[model].hit);
            expect(l.metrics[model].contentHit === null || [0, 1].includes(l.metrics[model].contentHit)).toBe(true);
          }
        }
        const last = row.layers.at(-1);
        expect(last.embed.top).toEqual(aligned[i].embed.top);
        expect(last.base.top).toEqual(aligned[i].base.top);
        expect(last.metrics.embed.hit).toBe(aligned[i].metrics.embed.hit);
      }
    }, 200_000);
  }

  it('a pair whose bodies have no layer outputs says why and exits non-zero', () => {
    const out = lens(['layers', '--pair', 'test-tiny', '--input', '-', '--json'], 'hello world\n');
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('No layer view for pair test-tiny');
  }, 120_000);
});

describe('per-layer parity with the independent numpy implementation (tools/reference/layer_parity_fixtures.py)', () => {
  const fixture = JSON.parse(readFileSync('cli/__fixtures__/layer-parity-demo.json', 'utf8'));
  const input = file('parity.txt', `${fixture.texts.join('\n')}\n`);
  const layers = lens(['layers', '--pair', 'demo', '--input', input, '--k', '10', '--json']);
  const analyze = lens(['analyze', '--pair', 'demo', '--input', input, '--layers', '--json']);
  const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(expected), 0.1));

  it('identical top-10 ids per text and layer, for both models', () => {
    expect(layers.code, layers.stderr).toBe(0);
    const rows = jsonLines(layers.stdout);
    expect(rows).toHaveLength(fixture.texts.length);
    for (const [l, layer] of fixture.layers.entries()) {
      for (const [i, expected] of layer.perText.entries()) {
        expect(rows[i].layers[l].embed.top.map((t: { id: number }) => t.id)).toEqual(expected.embed);
        expect(rows[i].layers[l].base.top.map((t: { id: number }) => t.id)).toEqual(expected.base);
      }
    }
  });

  it('analyze --layers: Hit@10 and LAR per layer for embed, base and base + v1·u1 (each layer its own PC1) within 1e-4', () => {
    expect(analyze.code, analyze.stderr).toBe(0);
    const report = JSON.parse(analyze.stdout);
    expect(report.layers).toHaveLength(fixture.layers.length);
    for (const [l, layer] of fixture.layers.entries()) {
      expect(report.layers[l].layer).toBe(layer.layer);
      close(report.layers[l].lambda, layer.lambda);
      for (const key of ['embed', 'base', 'baseAdjusted']) {
        close(report.layers[l].metrics[key].hit10, layer.metrics[key].hit10);
        close(report.layers[l].metrics[key].lar, layer.metrics[key].lar);
      }
    }
    // The deepest layer is the plain analysis.
    close(report.layers.at(-1).metrics.embed.hit10, report.metrics.embed.hit10);
    close(report.layers.at(-1).metrics.baseAdjusted.hit10, report.metrics.baseAdjusted.hit10);
  });
});
