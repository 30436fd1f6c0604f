import type { PreTrainedModel, Tensor } from '@huggingface/transformers';
import { applyFinalNorm, type FinalNorm } from '../core/finalNorm';
import { LAYER_NORM_PREFIX, LAYER_OUTPUT_PREFIX, NO_LAYERS_PREFIX, RMS_NORM_PREFIX } from '../core/onnx/patch';
import { type Pooling, poolBatch } from '../core/pooling';

/**
 * Per-layer pooled hidden states of a body, each passed through the model's final
 * norm (the logit-lens reading of a pooled embedding: W · pool(norm(x_ℓ))).
 *
 * Two kinds of bodies carry their layers:
 * - exported with them (the demo pair, tools/demo_pair/export_layers.py): outputs
 *   `layer_1..layer_L`, already through the final norm;
 * - Hub bodies patched as they download (core/onnx/patterns.ts findLayerTaps): outputs
 *   `embedding_lens/layer.ℓ` (the raw residual stream) and the final norm's weight,
 *   bias and ε; the norm is applied here, per token, before pooling.
 * Any other body has no layers, and the reason is given, never guessed.
 */
export type LayerStates = { layers: Float32Array[][] } | { reason: string };

const EXPORTED = /^layer_(\d+)$/;

/** Runs `model` on a tokenized batch and pools every layer's normed states; `layers[ℓ][i]` is text i at layer ℓ+1. */
export async function pooledLayers(model: PreTrainedModel, inputs: { input_ids: Tensor; attention_mask: Tensor }, pooling: Pooling): Promise<LayerStates> {
  const output = (await model({ input_ids: inputs.input_ids, attention_mask: inputs.attention_mask })) as Record<string, Tensor>;
  const names = Object.keys(output);
  const exported = names.filter((n) => EXPORTED.test(n)).sort((a, b) => layerNumber(a) - layerNumber(b));
  const tapped = names.filter((n) => n.startsWith(LAYER_OUTPUT_PREFIX)).sort((a, b) => layerNumber(a) - layerNumber(b));
  let norm: FinalNorm | undefined;
  let chosen = exported;
  if (exported.length === 0) {
    if (tapped.length === 0) return { reason: whyNoLayers(names) };
    norm = finalNormFrom(output);
    if (!norm) return { reason: 'the graph exposes its layers but not its final norm' };
    chosen = tapped;
  }
  const mask = inputs.attention_mask.data as BigInt64Array;
  const layers: Float32Array[][] = [];
  for (const name of chosen) {
    let tensor = output[name];
    if (tensor.type !== 'float32') tensor = tensor.to('float32');
    const [batch, , dim] = tensor.dims as number[];
    const data = norm ? applyFinalNorm(norm, Float32Array.from(tensor.data as Float32Array), dim) : (tensor.data as Float32Array);
    layers.push(poolBatch(data, mask, batch, dim, pooling));
  }
  return { layers };
}

function layerNumber(name: string): number {
  return Number(/(\d+)$/.exec(name)?.[1] ?? 0);
}

function finalNormFrom(output: Record<string, Tensor>): FinalNorm | undefined {
  for (const [prefix, kind] of [
    [RMS_NORM_PREFIX, 'rms'],
    [LAYER_NORM_PREFIX, 'layer'],
  ] as const) {
    const weight = output[`${prefix}weight`];
    if (!weight) continue;
    const floats = (t: Tensor) => Float32Array.from((t.type === 'float32' ? t : t.to('float32')).data as Float32Array);
    const bias = output[`${prefix}bias`];
    return { kind, weight: floats(weight), bias: bias && floats(bias), eps: floats(output[`${prefix}eps`])[0] };
  }
  return undefined;
}

function whyNoLayers(outputNames: string[]): string {
  const said = outputNames.find((n) => n.startsWith(NO_LAYERS_PREFIX));
  if (said) return `its graph's shape defeats the layer view: ${said.slice(NO_LAYERS_PREFIX.length)}`;
  return 'its graph returns no per-layer states (a copy cached before the layer view existed: delete it under "Cached models" and load again)';
}
