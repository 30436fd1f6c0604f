/**
 * One small interface over the two clients that drive the other engines (tools/engines/browsers.ts says
 * why these two), so that e2e/engines/contract.spec.ts and bench/realsizeEngines.ts are written once. Elements are named by data-testid;
 * clicks and keys are real input events (mouse and keyboard), not scripted ones.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { Builder, By, Key, type WebDriver } from 'selenium-webdriver';
import { firefoxPath, miniBrowserPath, startWebKitDriver } from './browsers';

export type EngineName = 'firefox' | 'webkit';

export interface EngineDriver {
  engine: EngineName;
  /** The browser's name and version, as it reports them. */
  version: string;
  /**
   * The process the engine's processes descend from (Firefox: the parent `firefox-esr`; WebKit:
   * WebKitWebDriver, which starts MiniBrowser): bench/realsizeEngines.ts finds the content processes under it.
   */
  pid: number | undefined;
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** A second visit: a new tab in the same browser (WebKit: the same tab), same profile and caches. */
  newTab(url: string): Promise<void>;
  /** Runs a function body in the page (`arg` is its argument; `return` its value, awaited if a promise). */
  js<T>(body: string, arg?: unknown): Promise<T>;
  /** A mouse click on the element, at `xFraction` of its width (its middle by default). */
  click(testId: string, xFraction?: number): Promise<void>;
  /** Focuses the element and presses a key. */
  press(testId: string, key: 'End' | 'Home' | 'ArrowRight'): Promise<void>;
  close(): Promise<void>;
}

const css = (testId: string) => `[data-testid="${testId}"]`;

export async function launch(engine: EngineName): Promise<EngineDriver> {
  return engine === 'firefox' ? launchFirefox() : launchWebKit();
}

async function launchFirefox(): Promise<EngineDriver> {
  const browser: Browser = await puppeteer.launch({ browser: 'firefox', executablePath: firefoxPath(), headless: true });
  let page: Page = await browser.newPage();
  const element = async (testId: string) => {
    const handle = await page.waitForSelector(css(testId), { visible: true, timeout: 30_000 });
    if (!handle) throw new Error(`no element ${testId}`);
    return handle;
  };
  return {
    engine: 'firefox',
    version: await browser.version(),
    pid: browser.process()?.pid,
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    newTab: async (url) => {
      page = await browser.newPage();
      await page.goto(url);
    },
    js: (body, arg) => page.evaluate(`(async (arg) => { ${body} })(${JSON.stringify(arg ?? null)})`) as never,
    click: async (testId, xFraction = 0.5) => {
      const handle = await element(testId);
      await handle.scrollIntoView();
      const box = (await handle.boundingBox())!;
      await page.mouse.click(box.x + box.width * xFraction, box.y + box.height / 2);
    },
    press: async (testId, key) => {
      await (await element(testId)).focus();
      await page.keyboard.press(key);
    },
    close: () => browser.close(),
  };
}

async function launchWebKit(): Promise<EngineDriver> {
  const server = await startWebKitDriver();
  let driver: WebDriver;
  try {
    driver = await new Builder()
      .usingServer(server.url)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation'] } })
      .build();
  } catch (error) {
    server.stop();
    throw error;
  }
  const capabilities = await driver.getCapabilities();
  const element = (testId: string) => driver.findElement(By.css(css(testId)));
  const keys = { End: Key.END, Home: Key.HOME, ArrowRight: Key.ARROW_RIGHT };
  return {
    engine: 'webkit',
    version: `${capabilities.get('browserName')}/${capabilities.get('browserVersion')}`,
    pid: server.pid,
    goto: (url) => driver.get(url),
    reload: () => driver.navigate().refresh(),
    // WebKitWebDriver's new-window command never answers with MiniBrowser (2.50): the second visit is the
    // link opened in the same tab, the navigation the hang was on (state/workerStart.ts).
    newTab: (url) => driver.get(url),
    js: (body, arg) => driver.executeScript(`const arg = ${JSON.stringify(arg ?? null)}; return (async () => { ${body} })();`),
    click: async (testId, xFraction = 0.5) => {
      const el = await element(testId);
      await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', el);
      const { width } = await el.getRect();
      // Pointer actions are relative to the element's centre.
      await driver
        .actions()
        .move({ origin: el, x: Math.round(width * (xFraction - 0.5)), y: 0 })
        .click()
        .perform();
    },
    press: async (testId, key) => {
      const el = await element(testId);
      await driver.executeScript('arguments[0].focus()', el);
      await driver.actions().sendKeys(keys[key]).perform();
    },
    close: async () => {
      await driver.quit().catch(() => undefined);
      server.stop();
    },
  };
}
