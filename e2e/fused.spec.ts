/**
 * The catalog's Qwen3 pair as the Hub builds it (tools/fused: GroupQueryAttention / MultiHeadAttention,
 * RotaryEmbedding, fused skip-norms; MatMulInteger in q8, MatMulNBits in q4f16) in the browser on both weight
 * paths: the disk-cache Blob path (JSPI) and the bytes path (?ort=nojspi), each after the app's single-file →
 * external-data rewrite and its hidden-state edit. The explorer's tokens equal the CLI's (onnxruntime-node) on the
 * same files.
 */
import type { Page } from '@playwright/test';
import { runLens } from '../tools/runCommand';
import { expect, shownIds, test } from './fixtures';

const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;
const TEXT = 'Stock markets fell sharply after the central bank raised interest rates.';

async function openLink(page: Page, params: Record<string, string>) {
  await page.goto(`/?${new URLSearchParams(params)}`);
  await expect(page.getByTestId('link-question')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('confirm-load').click();
}

/** The CLI's top ids for TEXT on the same pair and dtype. */
async function cliTop(dtype: string): Promise<{ embed: number[]; base: number[] }> {
  const out = await runLens(['align', '--pair', 'qwen3-0.6b', '--dtype', dtype, '--hub-url', HUB, '--input', '-', '--json'], {
    input: `${TEXT}\n`,
  });
  expect(out.code, out.stderr).toBe(0);
  const record = JSON.parse(out.stdout.trim().split('\n')[0]);
  const ids = (view: { top: { id: number }[] }) => view.top.map((t) => t.id);
  return { embed: ids(record.embed), base: ids(record.base) };
}

for (const [dtype, weights, ort] of [
  ['q8', 'disk', undefined],
  ['q4f16', 'bytes', 'nojspi'],
] as const) {
  test(`qwen3-0.6b ${dtype} (fused graphs) on the ${weights === 'disk' ? 'disk-cache' : 'bytes'} path: the CLI's tokens`, async ({ page, backend }) => {
    test.setTimeout(300_000);
    const params: Record<string, string> = { pair: 'qwen3-0.6b', hub: HUB, dtype, backend, text: TEXT, lambda: '0', tokens: 'all' }; // the CLI lists every token
    if (ort) params.ort = ort;
    await openLink(page, params);
    await expect(page.getByTestId('model-status')).toContainText(new RegExp(`Qwen3.*wasm ${dtype} · ready`), { timeout: 180_000 });
    if (weights === 'bytes') await expect(page.getByTestId('model-status')).toHaveAttribute('data-weights', 'bytes');
    else await expect(page.getByTestId('model-status')).not.toHaveAttribute('data-weights', 'bytes');
    await expect.poll(() => shownIds(page, 'aligned-base')).toHaveLength(10);
    const cli = await cliTop(dtype);
    // The leading tokens agree (onnxruntime-web's WASM kernels and onnxruntime-node's round alike to this depth).
    expect((await shownIds(page, 'aligned-embed')).slice(0, 3)).toEqual(cli.embed.slice(0, 3));
    expect((await shownIds(page, 'aligned-base')).slice(0, 3)).toEqual(cli.base.slice(0, 3));
  });
}
