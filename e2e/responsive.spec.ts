import { expect, PAIR, test } from './fixtures';

// The models run in a Web Worker: while it analyses a dataset, the page's main thread stays free.
// WASM only (the webgpu project does not run this file).
const LONG_TASK_MS = 200;

test(`the main thread has no long task over ${LONG_TASK_MS} ms while the worker analyses 200 sentences (${PAIR})`, async ({ page, openLens }) => {
  await openLens({ view: 'analysis' });
  // Long tasks (> 50 ms of main-thread work) from here on: the page has loaded its pair.
  await page.evaluate(() => {
    const tasks: number[] = [];
    (window as unknown as { longTasks: number[] }).longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  await page.getByTestId('analysis-limit').fill('200');
  await page.getByTestId('analysis-run').click();
  await expect(page.getByTestId('analysis-progress')).toBeVisible();
  // The page answers input while the worker is busy: the progress bar moves and a frame comes at once.
  await expect.poll(() => page.getByTestId('analysis-progress').getAttribute('value')).not.toBe('0');
  const started = Date.now();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  expect(Date.now() - started).toBeLessThan(LONG_TASK_MS);
  await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('analysis-table')).toContainText('Embedding model');
  await expect(page.getByText('200 texts, k = 10')).toBeVisible();

  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  console.log(`long tasks during the analysis (ms): ${longTasks.map((d) => d.toFixed(0)).join(', ') || 'none'}`);
  expect(longTasks.filter((d) => d > LONG_TASK_MS)).toEqual([]);
});
