/**
 * A model's final normalization, applied in the app to the residual stream of an
 * intermediate layer (the logit lens: what the LM head would read had the model
 * stopped there). Weights and ε come from the model's own graph (onnx/patch.ts).
 */
export interface FinalNorm {
  /** rms: x / sqrt(mean(x²) + ε) · w (Llama, Qwen). layer: (x − mean) / sqrt(var + ε) · w + b (GPT-2, GPT-Neo). */
  kind: 'rms' | 'layer';
  weight: Float32Array;
  bias?: Float32Array;
  eps: number;
}

/** Normalizes each row of `x` (rows × d, row-major) in place. */
export function applyFinalNorm(norm: FinalNorm, x: Float32Array, d: number): Float32Array {
  if (norm.weight.length !== d) throw new Error(`The final norm has ${norm.weight.length} weights but the hidden state ${d} dimensions.`);
  for (let start = 0; start < x.length; start += d) {
    let mean = 0;
    if (norm.kind === 'layer') {
      for (let i = 0; i < d; i++) mean += x[start + i];
      mean /= d;
    }
    let sq = 0;
    for (let i = 0; i < d; i++) {
      const c = x[start + i] - mean;
      sq += c * c;
    }
    const scale = 1 / Math.sqrt(sq / d + norm.eps);
    for (let i = 0; i < d; i++) {
      x[start + i] = (x[start + i] - mean) * scale * norm.weight[i] + (norm.bias ? norm.bias[i] : 0);
    }
  }
  return x;
}
