/// <reference types="vitest/config" />
import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const MODELS_DIR = resolve(import.meta.dirname, 'models');

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
};

/**
 * Serves models/ at /models/ in dev and preview, and copies it into the build.
 * Vite's own fallback answers a missing file with index.html and status 200,
 * which transformers.js would try to parse as a model: a missing file here is a 404.
 */
function serveModels(): Plugin {
  const handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/models/')) return next();
    const relative = normalize(decodeURIComponent(url.pathname.slice('/models/'.length)));
    const file = join(MODELS_DIR, relative);
    if (!file.startsWith(MODELS_DIR) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };
  return {
    name: 'embedding-lens:serve-models',
    configureServer: (server) => void server.middlewares.use(handler),
    configurePreviewServer: (server) => void server.middlewares.use(handler),
    writeBundle: (options) => {
      if (options.dir) cpSync(MODELS_DIR, join(options.dir, 'models'), { recursive: true });
    },
  };
}

/**
 * transformers.js imports `onnxruntime-web/webgpu`; it gets src/worker/ortWeb.ts instead, which picks
 * onnxruntime-web's JSPI build where the browser has JSPI (Hub bodies' weights read from the disk cache).
 */
function ortForTransformers(): Plugin {
  const shim = resolve(import.meta.dirname, 'src/worker/ortWeb.ts');
  return {
    name: 'embedding-lens:ort-for-transformers',
    enforce: 'pre',
    resolveId: (source, importer) =>
      source === 'onnxruntime-web/webgpu' && importer?.replaceAll('\\', '/').includes('/@huggingface/transformers/') ? shim : undefined,
  };
}

/**
 * The unit test files that run for minutes (they load Hub pairs again and again, or run the CLI on the fused
 * stand-ins), longest first. They start first: Vitest starts files it has no timings for (a fresh clone) largest
 * first, and a long file short in lines would start last and run alone while the other worker idles.
 */
const LONG_TEST_FILES = ['cli/hub.test.ts', 'cli/faultMatrix.test.ts', 'cli/fusedPairs.test.ts'];

class LongFilesFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONG_TEST_FILES.findIndex((long) => file.moduleId.endsWith(`/${long}`));
      return index < 0 ? LONG_TEST_FILES.length : index;
    };
    // Array.prototype.sort is stable: the other files keep Vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

// Cross-origin isolation lets onnxruntime-web use its multi-threaded WASM build.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative asset URLs: dist/ works at any path of any static host (a GitHub Pages project site
  // lives at /<repo>/). The worker finds the models from its own URL (src/worker/appRoot.ts).
  base: './',
  plugins: [react(), serveModels(), ortForTransformers()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es', plugins: () => [ortForTransformers()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  test: {
    include: ['src/**/*.test.ts', 'cli/**/*.test.ts', 'tools/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // Two files at a time: most of a CLI test waits on the process it started, so two share two cores well. Each
    // file's Hub stand-in listens on a port of its own (port 0) and each load caches in a folder of its own.
    maxWorkers: 2,
    // resilientFetch's first backoff (fetchDefaults; the CLI processes the tests start inherit it): a retry is
    // still a retry, after milliseconds rather than the half second a real Hub is given.
    env: { LENS_FETCH_RETRY_MS: '20' },
    sequence: { sequencer: LongFilesFirst },
  },
});
