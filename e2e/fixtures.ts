import { test as base, expect, type Page } from '@playwright/test';
import { localModelReader } from '../src/runtime/node';
import { LensSession } from '../src/runtime/session';

/** The pair e2e runs on: the shipped demo pair unless E2E_PAIR names another. */
export const PAIR = process.env.E2E_PAIR ?? 'demo';

type Backend = 'wasm' | 'webgpu';

export const test = base.extend<{ backend: Backend; openLens: (params?: Record<string, string>) => Promise<void> }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  backend: async ({}, use, testInfo) => {
    await use((testInfo.project.metadata.backend as Backend) ?? 'wasm');
  },
  openLens: async ({ page, backend }, use) => {
    await use(async (params = {}) => {
      const query = new URLSearchParams({ pair: PAIR, backend, ...params });
      await page.goto(`/?${query}`);
      await expect(page.getByTestId('model-status')).toContainText('ready', { timeout: 60_000 });
      await expect(page.getByTestId('model-status')).toContainText(backend);
    });
  },
});

export { expect };

let nodeSession: Promise<LensSession> | undefined;

/** The same pair run by the same core in Node (onnxruntime-node): the parity reference. */
export function referenceSession(): Promise<LensSession> {
  nodeSession ??= (async () => {
    const session = new LensSession(localModelReader());
    await session.load(PAIR, 'cpu');
    return session;
  })();
  return nodeSession;
}

export async function shownIds(page: Page, column: 'aligned-embed' | 'aligned-base'): Promise<number[]> {
  const items = page.getByTestId(column).getByTestId('aligned-token');
  return await items.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-token-id'))));
}

/** Types a text as a user would (replacing what is there) and waits for both columns to follow. */
export async function typeText(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('text-input');
  await input.fill(text);
  await expect(page.getByTestId('notice')).not.toHaveText('Updating…');
}
