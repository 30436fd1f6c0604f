/**
 * Debian's Firefox ESR and WebKitGTK, as the e2e contract on other engines launches them
 * (e2e/engines/): never a downloaded browser (there may be no network).
 *
 * - Firefox: `firefox-esr` driven over WebDriver BiDi with puppeteer-core. Playwright's own BiDi client
 *   (channel `moz-firefox`) targets Firefox Nightly: with ESR 153 its first page fails on
 *   `emulation.setMediaFeaturesOverride: unknown command`; puppeteer-core's BiDi runs ESR as it is.
 * - WebKitGTK: `WebKitWebDriver` (classic WebDriver) starting MiniBrowser on a private Xvfb display, driven with
 *   selenium-webdriver, the W3C WebDriver project's own client (four small dependencies; webdriverio pulls
 *   some thirty and prefers BiDi, which WebKitWebDriver does not speak).
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

/** $FIREFOX_PATH, else `firefox-esr` or `firefox` on the PATH. */
export function firefoxPath(): string {
  return process.env.FIREFOX_PATH || execSync('command -v firefox-esr || command -v firefox', { shell: '/bin/bash' }).toString().trim();
}

/** $WEBKIT_BROWSER, else the MiniBrowser Debian's libwebkit2gtk ships beside WebKitWebDriver. */
export function miniBrowserPath(): string {
  const candidates = readdirSync('/usr/lib').flatMap((arch) => ['4.1', '4.0'].map((api) => `/usr/lib/${arch}/webkit2gtk-${api}/MiniBrowser`));
  const path = process.env.WEBKIT_BROWSER || candidates.find((file) => existsSync(file));
  if (!path) throw new Error('No WebKitGTK MiniBrowser found: install webkit2gtk-driver (which brings libwebkit2gtk) or set WEBKIT_BROWSER.');
  return path;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start in ${ms / 1000} s`);
}

/** Xvfb on a display it picks itself (-displayfd), so parallel runs never collide. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    xvfb.stdio[3]!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): install xvfb`)));
  });
  return { display, process: xvfb };
}

/** WebKitWebDriver on a free port with its own Xvfb display; `stop` ends both. */
export async function startWebKitDriver(): Promise<{ url: string; display: string; pid: number | undefined; stop(): void }> {
  const xvfb = await startXvfb();
  const port = await freePort();
  const driver = spawn('WebKitWebDriver', [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: xvfb.display } });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/status`)).ok, 'WebKitWebDriver');
  return {
    url,
    display: xvfb.display,
    // MiniBrowser and its web and network processes are this process's descendants (bench/realsizeEngines.ts reads their memory).
    pid: driver.pid,
    stop() {
      driver.kill();
      xvfb.process.kill();
    },
  };
}
