/**
 * Whether onnxruntime-web can run its WASM kernels on several threads, and why not. Threads need
 * SharedArrayBuffer, which browsers give only to cross-origin isolated pages: the server must send
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`
 * (docs/deploying.md, "WASM threads: COOP and COEP"). Without them the app works the same, on one thread.
 */
export function threadsNote(isolated: boolean, sharedMemory = true): string {
  // WebKitGTK 2.50 isolates the page but gives it no SharedArrayBuffer.
  if (isolated && !sharedMemory)
    return 'WASM threads off: this browser gives no SharedArrayBuffer, even to a cross-origin isolated page, so the models run on one thread.';
  if (isolated) return 'WASM threads on: the page is cross-origin isolated.';
  return 'WASM threads off: the server sends no COOP/COEP headers, so the page is not cross-origin isolated and runs the models on one thread.';
}
