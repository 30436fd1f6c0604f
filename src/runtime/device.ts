/** Where the models run; its own module so precision.ts and pair.ts need not import each other. */
export type Device = 'webgpu' | 'wasm' | 'cpu';
