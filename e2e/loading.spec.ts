import { expect, test } from './fixtures';

// WASM only (the webgpu project does not run this file): on WebGPU the load-time
// canary loads a WASM twin of both bodies, a second read by design.
test('loading a pair downloads each model file once', async ({ page, openLens }) => {
  const bodyRequests = new Map<string, number>();
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/models/') && request.method() === 'GET') bodyRequests.set(path, (bodyRequests.get(path) ?? 0) + 1);
  });
  await openLens();
  const onnx = [...bodyRequests].filter(([path]) => path.endsWith('.onnx'));
  expect(onnx.length).toBe(2); // the embedder's and the base model's
  expect([...bodyRequests].filter(([, count]) => count > 1)).toEqual([]);
});
