import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSpectrumText, spectrumForPair } from '../src/runtime/spectrumFile';
import { findPair } from '../src/shared/catalog';
import { customPairManifest } from '../src/shared/manifest';
import { runCommand } from '../tools/runCommand';
import { expect, test } from './fixtures';

// `npm run verify:hub` is for a machine with internet; with --hub-url it runs against any Hub. Here: the
// stand-in (tools/hub/serveTestHub.ts) and the app Playwright already serves.
const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;

test('verify:hub loads a catalog pair in the CLI and in Chromium and prints what it loaded', async ({ baseURL }) => {
  test.setTimeout(600_000);
  const spectra = mkdtempSync(join(tmpdir(), 'verify-hub-spectra-'));
  const out = await runCommand('npx', [
    'tsx',
    'tools/hub/verifyHub.ts',
    '--hub-url',
    HUB,
    '--app-url',
    baseURL!,
    '--only',
    'smollm2-135m-eol',
    '--sentences',
    '5',
    '--spectra',
    spectra,
  ]);
  expect(out.stderr).not.toMatch(/Error/);
  expect(out.code).toBe(0);
  const report = JSON.parse(out.stdout.trim().split('\n').pop()!);
  expect(report.hub).toBe(HUB);
  const [cli, browser] = report.rows;
  // The CLI on onnxruntime-node takes fp32; the browser on WASM takes q8 where it exists, else fp32 (SmolLM2 has no q8).
  expect(cli).toMatchObject({ pair: 'smollm2-135m-eol', where: 'cli', dtype: 'fp32', files: ['HuggingFaceTB/SmolLM2-135M-Instruct/onnx/model.onnx'] });
  expect(cli.top10).toHaveLength(10);
  expect(cli.contentHit10).toBeGreaterThanOrEqual(0);
  expect(cli.downloadedMB).toBeGreaterThan(0);
  // What the graph is made of and what the app's edits found (the fused GQA stand-in, tools/fused).
  expect(cli.graphs).toEqual([{ file: 'HuggingFaceTB/SmolLM2-135M-Instruct/onnx/model.onnx', lines: expect.any(Array) }]);
  const [ops, hidden, layers, edits] = cli.graphs[0].lines;
  expect(ops).toMatch(/GroupQueryAttention 4/);
  expect(hidden).toMatch(/^hidden state: \/model\/layers\.4\/final_norm_layernorm/);
  expect(layers).toMatch(/^layers: 4 tapped/);
  expect(edits).toBe("app's edits in this copy: applied");
  expect(browser).toMatchObject({ pair: 'smollm2-135m-eol', where: 'browser', dtype: 'fp32' });
  expect(browser.files.some((f: string) => f.endsWith('/onnx/model.onnx'))).toBe(true);
  expect(browser.top10).toHaveLength(10);
  expect(out.stdout).toContain('content Hit@10 over 5 STS-B test sentences');

  // --spectra: `lens spectrum`'s file for the pair, the one a catalog entry's `spectrum` names once committed.
  const file = join(spectra, 'smollm2-135m-eol.json');
  expect(cli.spectrum).toMatchObject({ file, sampleSize: 200 });
  expect(out.stdout).toContain(`spectrum: ${file} (v1 = `);
  const written = readSpectrumText(readFileSync(file, 'utf8'), file);
  expect(written.about).toMatchObject({
    embed: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    base: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    dtype: 'fp32',
    device: 'cpu',
  });
  expect(written.variation[0]).toBe(cli.spectrum.v1);
  // It is this pair's (models and width): the app takes it for the pair, on WASM with a notice.
  const entry = findPair('smollm2-135m-eol');
  const sample = readFileSync('models/demo/sample.txt', 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const target = { manifest: customPairManifest(entry.hub!, entry.id), hiddenSize: written.u1.length, dtype: 'fp32', device: 'wasm', sample };
  const { spectrum, notice } = spectrumForPair(written, target, file);
  expect(spectrum.vectors[0]).toHaveLength(written.u1.length);
  expect(notice).toMatch(/computed in fp32 on cpu, and the pair runs fp32 on wasm/);
});
