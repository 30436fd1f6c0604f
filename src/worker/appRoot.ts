/**
 * The app's root path (e.g. `/embedding-lens/`), seen from the model worker.
 *
 * The build uses a relative base (`./`) so that dist/ works at any path of any host. A relative
 * base means "beside index.html" on the page, but the worker's own URL is `<root>/assets/<worker>.js`,
 * so there the root is one folder up. The result is a path, not a URL, on purpose:
 * transformers.js treats an absolute http(s) `localModelPath` as a remote host.
 */
export function appRootPath(base: string, workerUrl: string, assetsDir = 'assets'): string {
  if (base.startsWith('/')) return base.endsWith('/') ? base : `${base}/`;
  const up = assetsDir
    .split('/')
    .filter(Boolean)
    .map(() => '../')
    .join('');
  return new URL(`${up}${base}`, workerUrl).pathname;
}
