/** How the LM head's rows are stored; shared by lmHead.ts and the WebAssembly kernels it calls. */
export type HeadDtype = 'float32' | 'float16' | 'bfloat16';
