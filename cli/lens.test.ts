import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lensCommand } from '../tools/runCommand';

/** Runs the CLI as a user would (npm run lens -- …), returning its exit code and output. */
function lens(args: string[], input?: string) {
  const result = spawnSync(...lensCommand(args), { encoding: 'utf8', input, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'lens-cli-'));
const file = (name: string, content: string) => {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
};

describe('lens CLI', () => {
  it('align: text output shows partial-character tokens as bytes with the character they form; JSON keeps the decoded token', () => {
    const text = lens(['align', '--pair', 'demo', '--input', '-'], 'I love my guitar 🎸\n');
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('\uFFFD');
    expect(text.stdout).toContain('"<0xF0>" "<0x9F>" "<0x8E>" "<0xB8>"(=🎸)');
    const json = lens(['align', '--pair', 'demo', '--input', '-', '--json'], 'I love my guitar 🎸\n');
    const row = JSON.parse(json.stdout.trim());
    expect(row.tokens.slice(-4).map((t: { token: string }) => t.token)).toEqual(['\uFFFD', '\uFFFD', '\uFFFD', '\uFFFD']);
  });

  it('--help lists the commands; bad arguments exit non-zero with a clear message', () => {
    const help = lens(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/align.*\n[\s\S]*analyze/);

    const unknownPair = lens(['align', '--pair', 'nope/nothing', '--input', '-'], 'hello\n');
    expect(unknownPair.code).not.toBe(0);
    expect(unknownPair.stderr).toContain('Unknown model pair "nope/nothing"');

    const missingFile = lens(['analyze', '--pair', 'demo', '--input', join(scratch, 'missing.txt')]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain('no such file');

    const badJsonl = lens(['analyze', '--pair', 'demo', '--input', file('bad.jsonl', '{"text":"a"}\n{oops}\n')]);
    expect(badJsonl.code).toBe(2);
    expect(badJsonl.stderr).toContain('line 2');

    expect(lens(['frobnicate']).code).toBe(2);
    expect(lens(['align', '--pair', 'demo', '--input', '-', '--k', 'zero'], 'x').stderr).toContain('--k must be a positive integer');
  });

  it('align prints one JSON object per text with tokens, both top-k lists and metrics; empty lines skipped', () => {
    const out = lens(['align', '--pair', 'demo', '--input', '-', '--k', '5', '--lambda', 'v1', '--json'], 'A cat sits on the mat.\n\nTwo dogs play.\n');
    expect(out.code).toBe(0);
    const rows = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.tokens.length).toBeGreaterThan(0);
      expect(row.tokens[0]).toEqual({ id: expect.any(Number), token: expect.any(String) });
      expect(row.embed.top).toHaveLength(5);
      expect(row.base.top).toHaveLength(5);
      expect(row.embed.top[0].score).toBeGreaterThanOrEqual(row.embed.top[4].score);
      expect(row.metrics.embed).toEqual({ hit: expect.any(Number), lar: expect.any(Number) });
      expect(row.lambda).not.toBe(0);
    }
    expect(out.stderr).toContain('skipped 1 empty line');
  });
});

describe('lens spectrum: the file a pair ships, read back by the app', () => {
  it('writes every u_j with what it was computed on, and a pair naming that file has its slider at load with the same v_j', async () => {
    const out = join(scratch, 'spectrum.json');
    const run = lens(['spectrum', '--pair', 'test-tiny', '--out', out]);
    expect(run.code).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.u1).toHaveLength(32);
    expect(written.more).toHaveLength(written.variation.length - 1);
    expect(written.about).toMatchObject({ embed: 'test-tiny/embed', base: 'test-tiny/base', dtype: 'fp32', device: 'cpu' });
    // The pair's own shipped file (an older `lens spectrum`) and this one agree.
    const shipped = JSON.parse(readFileSync('models/test-tiny/spectrum.json', 'utf8'));
    for (const [j, v] of shipped.variation.slice(0, 5).entries()) expect(written.variation[j]).toBeCloseTo(v, 4);

    const { LensSession } = await import('../src/runtime/session');
    const { localModelReader } = await import('../src/runtime/node');
    const { manifestFor } = await import('../src/shared/pairId');
    const files = localModelReader();
    // The app reads the file a manifest names through its model root: serve the written file under that name.
    const read: typeof files = (path, onProgress) =>
      path === 'test-tiny/written-spectrum.json' ? Promise.resolve(new Uint8Array(readFileSync(out)).buffer) : files(path, onProgress);
    const session = new LensSession(read);
    const info = await session.loadManifest({ ...(await manifestFor('test-tiny', files)), spectrum: 'test-tiny/written-spectrum.json' }, 'cpu');
    expect(info.direction).toMatchObject({ state: 'ready', source: 'shipped', variation: written.variation, shares: written.shares });
  }, 180_000);
});

describe('parity with the independent numpy implementation (tools/reference/parity_fixtures.py)', () => {
  const fixture = JSON.parse(readFileSync('cli/__fixtures__/parity-demo.json', 'utf8'));
  const input = file('parity.txt', `${fixture.texts.join('\n')}\n`);
  const out = lens(['analyze', '--pair', 'demo', '--input', input, '--per-text', '--json']);
  const report = out.code === 0 ? JSON.parse(out.stdout) : undefined;
  const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(expected), 0.1));

  it('analyze runs on the same texts', () => {
    expect(out.stderr).not.toMatch(/lens analyze:/);
    expect(report.n).toBe(fixture.texts.length);
  });
  it('identical top-10 ids per text for embed, base and base + v1·u1', () => {
    for (const [i, expected] of fixture.perText.entries()) {
      expect(report.perText[i].embed).toEqual(expected.embed);
      expect(report.perText[i].base).toEqual(expected.base);
      expect(report.perText[i].baseAdjusted).toEqual(expected.baseAdjusted);
    }
  });
  it('Hit@10, LAR, GAR, v1..v10 and λ within 1e-4 relative', () => {
    for (const key of ['embed', 'base', 'baseAdjusted']) {
      for (const metric of ['hit10', 'lar', 'gar']) close(report.metrics[key][metric], fixture.metrics[key][metric]);
    }
    fixture.variation.forEach((v: number, j: number) => {
      close(report.variation[j], v);
    });
    close(report.lambda, fixture.lambda);
  });
});
