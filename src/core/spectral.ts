import { Matrix, SVD } from 'ml-matrix';

/**
 * Spectral analysis of the paper's §4: the embedder's change from the base model
 * lies mainly along the first principal component of the base embeddings.
 */
export interface Components {
  /** Singular values s_1 ≥ s_2 ≥ … of H (no centering). */
  singularValues: number[];
  /** Right singular vectors u_j (unit length), j = 1..n. */
  vectors: Float64Array[];
  /** s_j² / ‖H‖_F²: each component's share of the (uncentred) energy. */
  shares: number[];
}

/**
 * Top-n right singular vectors of H (rows = texts), computed without centering,
 * as the paper does. Signs are fixed so that each u_j points toward the mean
 * row (mean(H)·u_j ≥ 0): SVD signs are arbitrary and the slider needs a stable one.
 */
export function topComponents(rows: readonly ArrayLike<number>[], n: number): Components {
  if (rows.length === 0) throw new Error('topComponents: no rows');
  const dim = rows[0].length;
  const H = new Matrix(rows.map((r) => Array.from(r)));
  const svd = new SVD(H, { computeLeftSingularVectors: false, computeRightSingularVectors: true, autoTranspose: true });
  const V = svd.rightSingularVectors;
  const count = Math.min(n, svd.diagonal.length);
  const mean = new Float64Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) mean[j] += r[j] / rows.length;
  let energy = 0;
  for (const r of rows) for (let j = 0; j < dim; j++) energy += r[j] * r[j];

  const vectors: Float64Array[] = [];
  const singularValues: number[] = [];
  for (let c = 0; c < count; c++) {
    const u = Float64Array.from(V.getColumn(c));
    if (dot(mean, u) < 0) for (let j = 0; j < dim; j++) u[j] = -u[j];
    vectors.push(u);
    singularValues.push(svd.diagonal[c]);
  }
  return { singularValues, vectors, shares: singularValues.map((s) => (energy ? (s * s) / energy : 0)) };
}

/** v_j = mean_i (ĥ_i − h_i) · u_j: how far the embedder moved along each component. */
export function variation(embedRows: readonly ArrayLike<number>[], baseRows: readonly ArrayLike<number>[], vectors: readonly ArrayLike<number>[]): number[] {
  if (embedRows.length !== baseRows.length) throw new Error('variation: row counts differ');
  const dim = vectors[0]?.length ?? 0;
  const meanDiff = new Float64Array(dim);
  for (let i = 0; i < embedRows.length; i++) {
    for (let j = 0; j < dim; j++) meanDiff[j] += (embedRows[i][j] - baseRows[i][j]) / embedRows.length;
  }
  return vectors.map((u) => dot(meanDiff, u));
}

/** The spectrum of a set of texts (paper §4): u_j of their base embeddings and v_j, the embedder's shift along each. */
export interface Spectrum extends Components {
  /** v_1..v_n: the mean embed − base shift along each u_j. */
  variation: number[];
  sampleSize: number;
}

/**
 * u_j of the base rows (no centering) and v_j, the mean embed − base shift along each (rows: one per text).
 * The embedder may have read only the first texts (an early estimate, runtime/direction.ts): v_j is then the
 * mean over those, u_j still every base row's.
 */
export function spectrumOf(embedRows: readonly ArrayLike<number>[], baseRows: readonly ArrayLike<number>[], components: number): Spectrum {
  if (embedRows.length === 0 || embedRows.length > baseRows.length) throw new Error('spectrumOf: the embedder must have read the first of the base rows');
  const pcs = topComponents(baseRows, components);
  return { ...pcs, variation: variation(embedRows, baseRows.slice(0, embedRows.length), pcs.vectors), sampleSize: baseRows.length };
}

/** h + λ u: the PC1 adjustment that makes the base model's key tokens appear. */
export function adjust(h: ArrayLike<number>, u: ArrayLike<number>, lambda: number): Float32Array {
  const out = new Float32Array(h.length);
  for (let j = 0; j < h.length; j++) out[j] = h[j] + lambda * u[j];
  return out;
}

export interface Contribution {
  /** w·h, the token's logit. */
  total: number;
  /** The part from h's projection on u: (h·u)(w·u). */
  principal: number;
  /** Everything else: w·h − (h·u)(w·u). */
  rest: number;
}

/** Splits a token's logit w·h into the part carried by the component u and the rest. */
export function contribution(w: ArrayLike<number>, h: ArrayLike<number>, u: ArrayLike<number>): Contribution {
  const total = dot(w, h);
  const principal = dot(h, u) * dot(w, u);
  return { total, principal, rest: total - principal };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const denom = Math.sqrt(dot(a, a) * dot(b, b));
  return denom === 0 ? 0 : dot(a, b) / denom;
}

/** The angle between two directions in degrees, sign ignored (0–90): u and −u are the same principal direction. */
export function directionAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return (Math.acos(Math.min(1, Math.abs(cosine(a, b)))) * 180) / Math.PI;
}
