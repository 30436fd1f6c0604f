import type { Page } from '@playwright/test';
import { expect, PAIR, test } from './fixtures';

// A phone: every view fits 390 px without a sideways page scroll (a wide table may scroll inside its own
// box), and no control's centre is covered by another element. One page, the pair loaded once, every tab.
const PHONE = { width: 390, height: 844 };
const SENTENCE = 'A man is playing the guitar on a stage.';

test.use({ viewport: PHONE, hasTouch: true, actionTimeout: 10_000 });

type Overflow = { scrollWidth: number; innerWidth: number; offenders: string[] };

/** The page's width and, when it is wider than the screen, the innermost elements that stick out (outside any sideways-scrolling box). */
function measureOverflow(page: Page): Promise<Overflow> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const name = (el: Element) => {
      const id = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${cls}${id ? `[data-testid=${id}]` : ''}`;
    };
    const path = (el: Element) => {
      const parts: string[] = [];
      for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) parts.unshift(name(e));
      return parts.join(' > ');
    };
    const scrolls = (el: Element) => {
      for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
        const x = getComputedStyle(e).overflowX;
        if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
      }
      return false;
    };
    const sticksOut = (el: Element) => {
      const r = el.getBoundingClientRect();
      const hidden = el.tagName !== 'SUMMARY' && el.closest('details:not([open])') && !el.matches('details');
      return !hidden && r.width > 1 && r.height > 0 && r.right + window.scrollX > innerWidth + 1 && !scrolls(el);
    };
    const all = Array.from(document.body.querySelectorAll('*')).filter(sticksOut);
    const out = new Set(all);
    // The innermost offenders name the cause (a card is wide because of what it holds).
    const right = (el: Element) => el.getBoundingClientRect().right;
    const leaves = all.filter((el) => !Array.from(el.children).some((c) => out.has(c))).sort((a, b) => right(b) - right(a));
    const offenders = leaves
      .slice(0, 12)
      .map(
        (el) => `${path(el)} (width ${Math.round(el.getBoundingClientRect().width)}, right ${Math.round(el.getBoundingClientRect().right + window.scrollX)})`,
      );
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, offenders };
  });
}

/** The controls whose centre, once scrolled into view, is another element (not the control nor inside it). */
function coveredTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const targets = document.querySelectorAll<HTMLElement>('button, select, input, textarea, summary, [role=tab], a, label[for]');
    const covered: string[] = [];
    const name = (el: Element | null) => {
      if (!el) return 'nothing';
      const id = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.textContent ?? '').trim().slice(0, 30);
      return `${el.tagName.toLowerCase()}${cls}${id ? `[data-testid=${id}]` : ''}${text ? ` "${text}"` : ''}`;
    };
    for (const el of targets) {
      // Not shown: in a closed <details>, hidden, or a visually hidden input reached through its label.
      if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const box = el.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) continue;
      el.scrollIntoView({ block: 'center', inline: 'center' });
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !(hit === el || el.contains(hit))) covered.push(`${name(el)} covered by ${name(hit)}`);
    }
    window.scrollTo(0, 0);
    return covered;
  });
}

async function checkView(page: Page, view: string): Promise<void> {
  // Fonts and layout settle before measuring.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const overflow = await measureOverflow(page);
  console.log(`${view}: scrollWidth ${overflow.scrollWidth} at ${overflow.innerWidth} px`);
  expect
    .soft(overflow.scrollWidth, `${view} is ${overflow.scrollWidth} px wide at ${overflow.innerWidth} px; sticking out:\n  ${overflow.offenders.join('\n  ')}`)
    .toBeLessThanOrEqual(overflow.innerWidth);
  const covered = await coveredTargets(page);
  expect.soft(covered, `${view}: touch targets covered by other elements`).toEqual([]);
}

test(`every view fits a 390 px phone without a sideways scroll, its controls uncovered (${PAIR})`, async ({ page, openLens }) => {
  await openLens({ text: SENTENCE, panels: 'contribution,layers' });

  await test.step('explorer, its panels open', async () => {
    await expect(page.getByTestId('aligned-embed').getByTestId('aligned-token').first()).toBeVisible();
    await expect(page.getByTestId('aligned-base').getByTestId('aligned-token').first()).toBeVisible();
    await expect(page.getByTestId('token-diff')).toBeVisible();
    await expect(page.getByTestId('contribution')).toBeVisible();
    await expect(page.getByTestId('contribution-base')).toBeVisible();
    await expect(page.getByTestId('layer-details')).toHaveAttribute('open', '');
    await expect(page.getByTestId('layer-view').or(page.getByTestId('layer-unavailable'))).toBeVisible();
    await checkView(page, 'explorer');
  });

  await test.step('model pair picker and cache manager open', async () => {
    // Opened as a user's tap would; whether each summary can be tapped is what checkView asks.
    const setOpen = (open: boolean) =>
      page.evaluate((open) => {
        for (const id of ['pair-picker', 'cache-manager']) (document.querySelector(`[data-testid=${id}]`) as HTMLDetailsElement).open = open;
      }, open);
    await setOpen(true);
    await expect(page.getByTestId('pair-load')).toBeVisible();
    await checkView(page, 'pair picker');
    await setOpen(false);
  });

  await test.step('analysis after a 20-text run', async () => {
    await page.getByTestId('view-analysis').click();
    await page.getByTestId('analysis-limit').fill('20');
    await page.getByTestId('analysis-run').click();
    await expect(page.getByTestId('analysis-table')).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('metric-definitions').evaluate((el) => {
      (el as HTMLDetailsElement).open = true;
    });
    await checkView(page, 'analysis');
  });

  await test.step('instructions', async () => {
    await page.getByTestId('view-instructions').click();
    await page.getByTestId('instructions-run').click();
    await expect(page.getByTestId('instruction-column').first().getByTestId('list-token').first()).toBeVisible();
    await checkView(page, 'instructions');
  });

  await test.step('similarity', async () => {
    await page.getByTestId('view-similarity').click();
    await page.getByTestId('similarity-run').click();
    await expect(page.getByTestId('similarity-scores')).toBeVisible();
    await checkView(page, 'similarity');
  });

  await test.step('retrieval after indexing 50 documents', async () => {
    await page.getByTestId('view-retrieval').click();
    await page.getByTestId('retrieval-first-n').selectOption('50');
    await page.getByTestId('retrieval-build').click();
    await expect(page.getByTestId('retrieval-summary')).toContainText('50 documents indexed', { timeout: 80_000 });
    await expect(page.getByTestId('retrieval-results-sparse').getByTestId('retrieval-hit').first()).toBeVisible();
    await expect(page.getByTestId('retrieval-eval-table')).toBeVisible({ timeout: 60_000 });
    await checkView(page, 'retrieval');
  });
});
