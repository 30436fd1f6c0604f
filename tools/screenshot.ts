/**
 * The README's screenshot and one of each view at a desktop's 1400 × 1000 and a phone's 390 × 844, on the demo
 * pair (WASM): docs/screenshot.png (the explorer at λ = v₁) and docs/screenshots/<view>-<width>.png.
 *
 *   npm run screenshots            builds the app, serves dist/ on a free port, writes the files
 *   npx tsx tools/screenshot.ts <url>   against an app already served at <url>
 */
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from '@playwright/test';
import { preview } from 'vite';
import { CHROMIUM_ARGS, chromiumPath } from './chromium';

const SIZES = [
  { width: 1400, height: 1000 },
  { width: 390, height: 844 },
] as const;
const SENTENCE = 'A man is playing the guitar on a stage.';
const OUT = 'docs/screenshots';

/** Each view as a user leaves it after one action: the explorer at λ = v₁, an analysis of 50 texts, and so on. */
const VIEWS: { name: string; show: (page: Page) => Promise<void> }[] = [
  {
    name: 'explorer',
    show: async (page) => {
      await page.getByRole('button', { name: /λ = v₁/ }).click();
      await page.getByTestId('lambda-curve').waitFor();
    },
  },
  {
    name: 'analysis',
    show: async (page) => {
      await page.getByTestId('view-analysis').click();
      await page.getByTestId('analysis-limit').fill('50');
      await page.getByTestId('analysis-run').click();
      await page.getByTestId('analysis-table').waitFor({ timeout: 120_000 });
    },
  },
  {
    name: 'instructions',
    show: async (page) => {
      await page.getByTestId('view-instructions').click();
      await page.getByTestId('instructions-run').click();
      await page.getByTestId('instruction-column').first().getByTestId('list-token').first().waitFor();
    },
  },
  {
    name: 'similarity',
    show: async (page) => {
      await page.getByTestId('view-similarity').click();
      await page.getByTestId('similarity-run').click();
      await page.getByTestId('similarity-scores').waitFor();
    },
  },
  {
    name: 'retrieval',
    show: async (page) => {
      await page.getByTestId('view-retrieval').click();
      await page.getByTestId('retrieval-first-n').selectOption('50');
      await page.getByTestId('retrieval-build').click();
      await page.getByTestId('retrieval-eval-table').waitFor({ timeout: 120_000 });
    },
  },
  {
    name: 'pair-picker',
    show: async (page) => {
      await page.getByTestId('view-explorer').click();
      await page.getByTestId('pair-picker').locator('summary').click();
      await page.getByTestId('pair-load').waitFor();
    },
  },
];

async function shoot(url: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  for (const size of SIZES) {
    const page = await browser.newPage({ viewport: size, hasTouch: size.width < 600 });
    await page.goto(`${url}?pair=demo&backend=wasm&text=${encodeURIComponent(SENTENCE)}`);
    await page.getByTestId('aligned-base').getByTestId('aligned-token').first().waitFor({ timeout: 120_000 });
    for (const view of VIEWS) {
      await view.show(page);
      await page.waitForTimeout(800); // transitions and the debounced URL settle
      const file = `${OUT}/${view.name}-${size.width}.png`;
      await page.screenshot({ path: file, fullPage: view.name !== 'pair-picker' });
      console.log(file);
      if (view.name === 'explorer' && size.width === 1400) {
        await page.setViewportSize({ width: 1280, height: 860 });
        await page.waitForTimeout(300);
        await page.screenshot({ path: 'docs/screenshot.png' });
        await page.setViewportSize(size);
        console.log('docs/screenshot.png');
      }
    }
    await page.close();
  }
  await browser.close();
}

const given = process.argv[2];
if (given) {
  await shoot(given);
} else {
  const server = await preview({ preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
  const { port } = server.httpServer.address() as AddressInfo;
  try {
    await shoot(`http://127.0.0.1:${port}/`);
  } finally {
    await server.close();
  }
}
