import * as ortJspi from 'onnxruntime-web/jspi';
import * as ortWebgpu from 'onnxruntime-web/webgpu';
import { JSPI_BUILD } from './ortRuntime';

/**
 * What transformers.js gets when it imports `onnxruntime-web/webgpu` (vite.config.ts `ortForTransformers`):
 * the JSPI build where the browser has JSPI, else the WebGPU bundle it asked for. Chosen at start-up,
 * because onnxruntime-web's JSPI build refuses to start without JSPI, and transformers.js registers its
 * devices only for a runtime it imported itself.
 */
const ort: typeof ortWebgpu = JSPI_BUILD ? (ortJspi as typeof ortWebgpu) : ortWebgpu;

export const { InferenceSession, Tensor, env } = ort;
export default ort;
