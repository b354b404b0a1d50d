/**
 * @file Sentence embeddings from an encoder's hidden states: CLS or masked-mean pooling, then L2
 * normalisation (sentence-transformers' Pooling and Normalize modules).
 *
 * Runs in the inference worker; pure functions over typed arrays, no onnxruntime.
 */

/** How a bundle turns token states into one vector (manifest `embedding.pooling`). */
export type Pooling = 'cls' | 'mean';

/**
 * One vector per row of a right-padded batch. `hidden` is [B, S, D] row-major; `lengths[b]` counts the
 * real tokens of row b (the rest is padding, never read).
 */
export function poolRows(
  hidden: Float32Array,
  dims: readonly [number, number, number],
  lengths: readonly number[],
  pooling: Pooling,
  normalize: boolean,
): Float32Array[] {
  const [B, S, D] = dims;
  if (hidden.length !== B * S * D) throw new Error(`hidden states have ${hidden.length} values, expected ${B}×${S}×${D}`);
  if (lengths.length !== B) throw new Error(`${lengths.length} row lengths for a batch of ${B}`);
  const out: Float32Array[] = [];
  for (let b = 0; b < B; b++) {
    const n = lengths[b]!;
    if (n < 1 || n > S) throw new Error(`row ${b} has length ${n}, outside 1..${S}`);
    const base = b * S * D;
    let v: Float32Array;
    if (pooling === 'cls') v = hidden.slice(base, base + D);
    else {
      // Sum in float64: a long row of float32 adds loses digits the reference (PyTorch) keeps.
      const acc = new Float64Array(D);
      for (let s = 0; s < n; s++) {
        const row = base + s * D;
        for (let d = 0; d < D; d++) acc[d]! += hidden[row + d]!;
      }
      v = Float32Array.from(acc, (x) => x / n);
    }
    out.push(normalize ? l2Normalize(v) : v);
  }
  return out;
}

/** The vector scaled to unit length (a zero vector stays zero, as torch's F.normalize leaves it). */
export function l2Normalize(v: Float32Array): Float32Array {
  let sq = 0;
  for (const x of v) sq += x * x;
  const norm = Math.max(Math.sqrt(sq), 1e-12);
  return v.map((x) => x / norm);
}
