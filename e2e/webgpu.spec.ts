import { runLens } from '../tools/runCommand';
import { expect, referenceSession, shownIds, test } from './fixtures';

const HUB = `http://127.0.0.1:${process.env.TEST_HUB_PORT ?? 8765}`;

// Chromium's software WebGPU adapter (SwiftShader, --enable-unsafe-webgpu) runs these for real;
// only the webgpu project runs this file (playwright.config.ts).
test.describe('WebGPU checks', () => {
  test('at load a canary text agrees between WebGPU and WASM', async ({ page, openLens }) => {
    await openLens();
    await expect(page.getByTestId('backend-notice')).toHaveCount(0);
    await expect(page.getByTestId('model-status')).toContainText('webgpu');
  });

  test('a WebGPU result that disagrees with WASM falls back to WASM and says so', async ({ page }) => {
    await page.goto('/?pair=demo&backend=webgpu&debug=webgpu-mismatch');
    await expect(page.getByTestId('model-status')).toContainText('wasm · ready', { timeout: 90_000 });
    await expect(page.getByTestId('backend-notice')).toContainText('WebGPU disagreed with WASM');
  });

  test('losing the WebGPU device mid-session recovers on WASM, keeping the text and view', async ({ page }) => {
    const text = 'Two dogs run through the snow.';
    await page.goto(`/?pair=demo&backend=webgpu&debug=lose-device&text=${encodeURIComponent(text)}&k=5`);
    await expect(page.getByTestId('backend-notice')).toContainText('device was lost', { timeout: 90_000 });
    await expect(page.getByTestId('model-status')).toContainText('wasm · ready');
    await expect(page.getByTestId('text-input')).toHaveValue(text);
    const reference = await (await referenceSession()).align(1, text, 5, 0);
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.filtered.ids);
  });

  for (const asked of ['the app’s choice', 'q4f16'] as const)
    test(`qwen3-0.6b as the Hub builds it (fused GQA/MHA; ${asked}): WebGPU passes the canary, or falls back saying why; the CLI’s tokens`, async ({
      page,
    }) => {
      test.setTimeout(300_000);
      const text = 'Stock markets fell sharply after the central bank raised interest rates.';
      const params: Record<string, string> = { pair: 'qwen3-0.6b', hub: HUB, backend: 'webgpu', text, lambda: '0', tokens: 'all' }; // the CLI lists every token
      if (asked === 'q4f16') params.dtype = asked; // MatMulNBits and float16 states on the GPU
      await page.goto(`/?${new URLSearchParams(params)}`);
      await page.getByTestId('confirm-load').click();
      const status = page.getByTestId('model-status');
      await expect(status).toContainText(/ready|failed/, { timeout: 240_000 });
      const shown = (await status.textContent()) ?? '';
      // A failed load names its cause in the error box (only there when it failed: a locator would wait for it).
      const error = page.getByTestId('error');
      expect(shown, (await error.count()) ? ((await error.textContent()) ?? '') : '').toMatch(/Qwen3.*ready/);
      const [, device, dtype = 'fp32'] = /· (webgpu|wasm)(?: (\w+))? ·/.exec(shown) ?? []; // fp32 is not named
      expect(device, shown).toBeDefined();
      console.log(`fused qwen3-0.6b asked for WebGPU: ${shown.trim()}`); // which path it took, for the CI log
      // On WASM after asking for WebGPU, the notice names the reason (the canary disagreed, or no adapter).
      if (device === 'wasm') await expect(page.getByTestId('backend-notice')).toContainText(/WebGPU/);
      else await expect(page.getByTestId('backend-notice')).toHaveCount(0);
      await expect.poll(() => shownIds(page, 'aligned-base')).toHaveLength(10);
      const cli = await runLens(['align', '--pair', 'qwen3-0.6b', '--dtype', dtype, '--hub-url', HUB, '--input', '-', '--json'], { input: `${text}\n` });
      expect(cli.code, cli.stderr).toBe(0);
      const record = JSON.parse(cli.stdout.trim().split('\n')[0]);
      expect((await shownIds(page, 'aligned-embed')).slice(0, 3)).toEqual(record.embed.top.slice(0, 3).map((t: { id: number }) => t.id));
      expect((await shownIds(page, 'aligned-base')).slice(0, 3)).toEqual(record.base.top.slice(0, 3).map((t: { id: number }) => t.id));
    });
});
