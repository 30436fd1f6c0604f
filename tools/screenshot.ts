/**
 * Writes docs/screenshot.png: the explorer on the demo pair, the default text, λ at v₁.
 *   npx vite build && npx vite preview --port 4173 &   then   npx tsx tools/screenshot.ts [url]
 */
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './chromium';

const url = process.argv[2] ?? 'http://127.0.0.1:4173/';
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
await page.goto(`${url}?pair=demo&backend=wasm`);
await page.getByTestId('aligned-base').getByTestId('aligned-token').first().waitFor({ timeout: 120_000 });
await page.getByRole('button', { name: /λ = v₁/ }).click();
await page.waitForTimeout(1000);
await page.screenshot({ path: 'docs/screenshot.png' });
await browser.close();
