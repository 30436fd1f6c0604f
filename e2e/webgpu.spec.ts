import { expect, referenceSession, shownIds, test } from './fixtures';

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
    await expect.poll(() => shownIds(page, 'aligned-embed')).toEqual(reference.embed.ids);
  });
});
