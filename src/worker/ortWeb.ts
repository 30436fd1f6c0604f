import * as ortJspi from 'onnxruntime-web/jspi';
import * as ortWebgpu from 'onnxruntime-web/webgpu';
import { JSPI_BUILD } from './ortRuntime';
import { watchStep } from './steps';

/**
 * What transformers.js gets when it imports `onnxruntime-web/webgpu` (vite.config.ts `ortForTransformers`):
 * the JSPI build where the browser has JSPI, else the WebGPU bundle it asked for. Chosen at start-up,
 * because onnxruntime-web's JSPI build refuses to start without JSPI, and transformers.js registers its
 * devices only for a runtime it imported itself.
 */
const ort: typeof ortWebgpu = JSPI_BUILD ? (ortJspi as typeof ortWebgpu) : ortWebgpu;

/** Each session build is a step of the load the watchdog follows (worker/steps.ts). */
const InferenceSession = new Proxy(ort.InferenceSession, {
  get: (target, key, receiver) =>
    key === 'create'
      ? (...args: Parameters<typeof target.create>) => watchStep('onnxruntime building a session', target.create(...args))
      : Reflect.get(target, key, receiver),
});

export const { Tensor, env } = ort;
export { InferenceSession };
export default { ...ort, InferenceSession };
