import { readFileSync } from 'node:fs';
import { crc32, inflateSync } from 'node:zlib';
import type { Download, Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const SENTENCE = 'A man is playing the guitar on a stage.';

async function downloaded(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const event: Promise<Download> = page.waitForEvent('download');
  await button.click();
  const download = await event;
  return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
}

/** Reads a PNG independently of the app's writer: every chunk's CRC, IHDR, pHYs and the text chunks. */
function readPng(bytes: Buffer) {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const text: Record<string, string> = {};
  let width = 0;
  let height = 0;
  let dpi = 0;
  const types: string[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    expect(bytes.readUInt32BE(at + 8 + length), `CRC of ${type}`).toBe(crc32(bytes.subarray(at + 4, at + 8 + length)));
    types.push(type);
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'pHYs' && data[8] === 1) dpi = Math.round(data.readUInt32BE(0) * 0.0254);
    const nul = data.indexOf(0);
    if (type === 'tEXt') text[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    if (type === 'iTXt') {
      const translatedEnd = data.indexOf(0, data.indexOf(0, nul + 3) + 1);
      text[data.toString('latin1', 0, nul)] = data.subarray(translatedEnd + 1).toString('utf8');
    }
    at += 12 + length;
  }
  expect(types[0]).toBe('IHDR');
  expect(types.at(-1)).toBe('IEND');
  return { width, height, dpi, text, types };
}

function idatBytes(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    if (bytes.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return Buffer.concat(parts);
}

/** The SVG's title, description and metadata, and its text content. */
async function readSvg(page: Page, svg: string) {
  expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\s*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  return page.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
    const error = doc.querySelector('parsererror');
    if (error) throw new Error(`the SVG does not parse: ${error.textContent}`);
    return {
      title: doc.querySelector('svg > title')?.textContent ?? '',
      desc: doc.querySelector('svg > desc')?.textContent ?? '',
      metadata: JSON.parse(doc.querySelector('svg > metadata')?.textContent ?? '{}'),
      text: [...doc.querySelectorAll('text')].map((t) => t.textContent).join('\n'),
      width: Number(doc.documentElement.getAttribute('width')),
      height: Number(doc.documentElement.getAttribute('height')),
    };
  }, svg);
}

/** Downloads one chart as SVG and PNG and checks both files and their metadata. */
async function checkFigure(page: Page, scope: Locator, testId: string, expected: { chart: RegExp; pair: string; text: string; lambda?: number }) {
  const svgFile = await downloaded(page, scope.getByTestId(`${testId}-svg`));
  expect(svgFile.name).toMatch(/^embedding-lens-.+\.svg$/);
  const svg = await readSvg(page, svgFile.bytes.toString('utf8'));
  expect(svg.title).toMatch(expected.chart);
  expect(svg.metadata).toMatchObject({ software: 'Embedding Lens', pair: expected.pair, text: expected.text });
  if (expected.lambda !== undefined) expect(svg.metadata.lambda).toBeCloseTo(expected.lambda, 3);
  expect(svg.desc).toContain(expected.pair);
  expect(svg.text).toContain(`pair ${expected.pair}`); // the visible caption

  const pngFile = await downloaded(page, scope.getByTestId(`${testId}-png`));
  expect(pngFile.name).toMatch(/^embedding-lens-.+\.png$/);
  const png = readPng(pngFile.bytes);
  expect(png.dpi).toBe(300);
  expect(png.width).toBe(Math.round((svg.width * 300) / 96));
  expect(png.height).toBe(Math.round((svg.height * 300) / 96));
  expect(png.text).toMatchObject({ Title: svg.title, Software: 'Embedding Lens', Pair: expected.pair, Text: expected.text });
  if (expected.lambda !== undefined) expect(Number(png.text.Lambda)).toBeCloseTo(expected.lambda, 3);
  // Rows of RGBA pixels behind a filter byte each: the image is complete, and not all white.
  const pixels = inflateSync(idatBytes(pngFile.bytes));
  expect(pixels.length).toBe(png.height * (1 + png.width * 4));
  expect(pixels.some((b, i) => i % (1 + png.width * 4) !== 0 && b < 200)).toBe(true);
  return svg;
}

test.describe('figures and the saved view', () => {
  test('every explorer chart downloads as SVG and PNG (300 dpi) with the pair, text and λ', async ({ page, openLens }) => {
    await openLens({ text: SENTENCE });
    const embed = page.getByTestId('aligned-embed');
    await expect(embed.getByTestId('aligned-token')).toHaveCount(10);
    const svg = await checkFigure(page, embed, 'export-token-bars', { chart: /Top aligned tokens: embedding model/, pair: 'demo', text: SENTENCE });
    // The figure shows the same tokens as the page.
    for (const label of await embed.getByTestId('aligned-token').locator('.label').allTextContents()) expect(svg.text).toContain(label);

    await page.getByTestId('lambda-v1').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('lambda')).not.toBeNull();
    const lambda = Number(new URL(page.url()).searchParams.get('lambda')); // v₁, rounded to 3 decimals in the link
    await checkFigure(page, page.getByTestId('aligned-base'), 'export-token-bars', {
      chart: /Top aligned tokens: base model/,
      pair: 'demo',
      text: SENTENCE,
      lambda,
    });

    await page.getByTestId('contribution-details').locator('summary').click();
    await expect(page.getByTestId('contribution-embed')).toBeVisible();
    await checkFigure(page, page.getByTestId('contribution'), 'export-contribution-embed', {
      chart: /PC1 contribution.*embedding model/,
      pair: 'demo',
      text: SENTENCE,
    });
    // The base side follows the slider (at v₁ here), and its figure says so.
    await expect(page.getByTestId('contribution-base')).toHaveAttribute('data-lambda', /\d/);
    await expect.poll(async () => Number(await page.getByTestId('contribution-base').getAttribute('data-lambda'))).toBeCloseTo(lambda, 3);
    await checkFigure(page, page.getByTestId('contribution'), 'export-contribution-base', {
      chart: /PC1 contribution.*base model/,
      pair: 'demo',
      text: SENTENCE,
      lambda,
    });
  });

  test('the v_j spectrum and the PC1 tokens download as SVG and PNG', async ({ page, openLens }) => {
    await openLens({ view: 'analysis' });
    await page.getByTestId('analysis-limit').fill('20');
    await page.getByTestId('analysis-run').click();
    await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 60_000 });
    const dataset = '20 texts of STS-B test';
    const spectrum = await checkFigure(page, page.locator('main'), 'export-variation', { chart: /Spectral variation/, pair: 'demo', text: dataset });
    expect(spectrum.text).toContain('principal component j');
    const pc1 = await checkFigure(page, page.locator('main'), 'export-pc1-tokens', { chart: /Tokens along PC1/, pair: 'demo', text: dataset });
    for (const token of await page.getByTestId('pc1-negative').locator('li').allTextContents()) expect(pc1.text).toContain(token);
  });

  test("the explorer's state saves as JSON and opens back; a bad file is refused and the view kept", async ({ page, openLens }) => {
    await openLens({ text: SENTENCE, k: '5', lambda: '0.75' });
    await expect(page.getByTestId('aligned-base').getByTestId('aligned-token')).toHaveCount(5);
    const saved = await downloaded(page, page.getByTestId('state-save'));
    const file = JSON.parse(saved.bytes.toString('utf8'));
    expect(file).toMatchObject({
      format: 'embedding-lens/explorer',
      version: 1,
      state: { pair: 'demo', text: SENTENCE, k: 5, lambda: 0.75, view: 'explorer' },
    });
    const shownBase = await page
      .getByTestId('aligned-base')
      .getByTestId('aligned-token')
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));
    expect(file.shown.base.map((t: { id: number }) => t.id)).toEqual(shownBase);

    // Change everything, then open the file: the saved view comes back.
    await page.getByTestId('text-input').fill('Something else entirely.');
    await page.getByRole('button', { name: 'λ = 0' }).click();
    await page.getByTestId('state-open').setInputFiles({ name: 'view.json', mimeType: 'application/json', buffer: saved.bytes });
    await expect(page.getByTestId('text-input')).toHaveValue(SENTENCE);
    await expect(page.getByTestId('lambda-slider')).toHaveValue('0.75');
    await expect(page.getByTestId('aligned-base').getByTestId('aligned-token')).toHaveCount(5);
    await expect
      .poll(() =>
        page
          .getByTestId('aligned-base')
          .getByTestId('aligned-token')
          .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id')))),
      )
      .toEqual(shownBase);

    await page.getByTestId('state-open').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format":"embedding-lens/explorer","version":1,"state":{"text":"x","pair":"demo","lambda":0,"k":7}}'),
    });
    await expect(page.getByTestId('state-message')).toContainText('state.k must be one of 5, 10, 20, 50');
    await expect(page.getByTestId('text-input')).toHaveValue(SENTENCE);
  });
});
