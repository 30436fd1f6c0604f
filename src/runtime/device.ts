/** Where the models run; its own module so that the modules pair.ts imports need not import it back. */
export type Device = 'webgpu' | 'wasm' | 'cpu';
