/**
 * @file The weight transforms of the bundle build: a checkpoint tensor (float32, original layout) →
 * the bytes of one graph initializer, exactly as export.py makes them: the transpose torch folds into
 * a MatMul weight, fp16.py's float16 cast, quantize.py's int8 (per output column, 7 bits, for
 * MatMulInteger; per row, 8 bits, for embedding Gathers) and q4 (MatMulNBits blocks of 32).
 *
 * Runs in main (the bundle build). Pure arithmetic on typed arrays.
 *
 * [Note: Bit-exact weight transforms] Each transform reproduces numpy float32 arithmetic bit for bit
 * (make_graphs.py checks its recipe with numpy; the build's test compares the data files' sha256 with
 * it): a float32 division is `Math.fround(a / b)` (double rounding is innocuous for one division of
 * float32 operands), `np.rint` rounds half to even, and float32 → float16 rounds to nearest even with
 * subnormals, as numpy's `astype(np.float16)`. See [Note: int8 reduced-range weights] in quantize.py
 * for why MatMul weights use [-63, 63].
 */

/** Transforms of native/export/make_graphs.py's recipe (`op`). */
export const RECIPE_OPS = [
  'copy',
  'fp16',
  'int8-matmul-q',
  'int8-matmul-scale',
  'int8-matmul-zp',
  'int8-gather-q',
  'int8-gather-scale',
  'q4-packed',
  'q4-scales',
] as const;
export type RecipeOp = (typeof RECIPE_OPS)[number];

export const INT8_MATMUL_QMAX = 63;
export const INT8_GATHER_QMAX = 127;
export const Q4_BLOCK = 32;

/** A 2-D (or flattened) float32 matrix in row-major order. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Side of the square blocks transposed at a time: a block's source rows and output rows stay in cache. */
const TILE = 64;

/** Row-major transpose, block by block. */
export function transpose(m: Matrix): Matrix {
  const { data, rows, cols } = m;
  const out = new Float32Array(data.length);
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let c = c0; c < c1; c++) {
        const o = c * rows;
        for (let r = r0; r < r1; r++) out[o + r] = data[r * cols + c]!;
      }
    }
  }
  return { data: out, rows: cols, cols: rows };
}

/** numpy's `np.rint` (round half to even). */
export function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE binary16 bits, round to nearest even (numpy `astype(np.float16)`). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** Symmetric scale of a group whose largest magnitude is `amax` (quantize.py: 1.0 for an all-zero group). */
function scaleOf(amax: number, qmax: number): number {
  return amax > 0 ? Math.fround(amax / qmax) : 1;
}

function quantize(v: number, scale: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, rint(Math.fround(v / scale))));
}

/**
 * Symmetric int8 per source row of `s` [rows, cols] in [-qmax, qmax]: scale [rows], and q laid out as
 * the source (`transposed` false) or as its transpose (true).
 */
function int8Rows(s: Matrix, qmax: number, transposed: boolean): { q: Int8Array; scale: Float32Array } {
  const { data, rows, cols } = s;
  const q = new Int8Array(rows * cols);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let amax = 0;
    for (let i = 0; i < cols; i++) amax = Math.max(amax, Math.abs(data[base + i]!));
    scale[r] = scaleOf(amax, qmax);
  }
  if (!transposed) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const sc = scale[r]!;
      for (let i = 0; i < cols; i++) q[base + i] = quantize(data[base + i]!, sc, -qmax, qmax);
    }
    return { q, scale };
  }
  // transpose()'s blocking, inlined: a per-element callback made both loops 2-3x slower (measured).
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let i = c0; i < c1; i++) {
        const o = i * rows;
        for (let r = r0; r < r1; r++) q[o + r] = quantize(data[r * cols + i]!, scale[r]!, -qmax, qmax);
      }
    }
  }
  return { q, scale };
}

/**
 * int8 of a weight `w` [K, N] as quantize.py's `quantize_int8_weights(w, axis=0, qmax=63)`, taking the
 * untransposed source `s` = wᵀ [N, K] (each output column is a source row): q [K, N], scale [N].
 */
export const int8MatMul = (s: Matrix) => int8Rows(s, INT8_MATMUL_QMAX, true);

/** int8 of an embedding table [V, D] per row (`axis=1, qmax=127`): q [V, D], scale [V, 1]. */
export const int8Gather = (t: Matrix) => int8Rows(t, INT8_GATHER_QMAX, false);

/**
 * q4 of a weight `w` [K, N] as quantize.py's `quantize_q4_weights`, from the source `s` = wᵀ [N, K]:
 * packed uint8 [N, K/32, 16] (even index in the low nibble, zero point 8), scales [N, K/32].
 */
export function q4MatMul(s: Matrix): { packed: Uint8Array; scale: Float32Array } {
  const { data, rows: n, cols: k } = s;
  const kb = Math.ceil(k / Q4_BLOCK);
  const packed = new Uint8Array(n * kb * (Q4_BLOCK / 2));
  const scale = new Float32Array(n * kb);
  const block = new Float32Array(Q4_BLOCK);
  for (let j = 0; j < n; j++) {
    for (let b = 0; b < kb; b++) {
      let amax = 0;
      for (let i = 0; i < Q4_BLOCK; i++) {
        const kk = b * Q4_BLOCK + i;
        block[i] = kk < k ? data[j * k + kk]! : 0;
        amax = Math.max(amax, Math.abs(block[i]!));
      }
      const sc = scaleOf(amax, 7);
      scale[j * kb + b] = sc;
      const out = (j * kb + b) * (Q4_BLOCK / 2);
      for (let i = 0; i < Q4_BLOCK; i += 2) {
        const lo = quantize(block[i]!, sc, -8, 7) + 8;
        const hi = quantize(block[i + 1]!, sc, -8, 7) + 8;
        packed[out + i / 2] = lo | (hi << 4);
      }
    }
  }
  return { packed, scale };
}

/** float32 → float16 bytes. */
export function toHalf(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = floatToHalf(data[i]!);
  return out;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * The initializers made from one source weight (`src`: the original-layout tensor viewed as
 * [rows, cols]; a 1-D or N-D tensor is one row). With `transposeSrc` (the recipe's `transpose`) the
 * float initializer is `srcᵀ` and the quantized ones are defined on w = `srcᵀ` [K, N], which the
 * functions above take untransposed. Quantization results are kept for the source's other ops
 * (`_q` and `_scale` come from one pass).
 */
export function transformsOf(src: Matrix, transposeSrc: boolean): (op: RecipeOp) => Uint8Array {
  const memo = new Map<string, { q?: Int8Array; packed?: Uint8Array; scale: Float32Array }>();
  const once = <T extends { scale: Float32Array }>(key: string, f: () => T): T => {
    if (!memo.has(key)) memo.set(key, f());
    return memo.get(key) as unknown as T;
  };
  const linear = (op: RecipeOp): Matrix => {
    if (!transposeSrc) throw new Error(`recipe op ${op} expects a Linear weight (a transposed source)`);
    return src;
  };
  return (op) => {
    switch (op) {
      case 'copy':
        return bytesOf(transposeSrc ? transpose(src).data : src.data);
      case 'fp16':
        return bytesOf(toHalf(transposeSrc ? transpose(src).data : src.data));
      case 'int8-matmul-q':
        return bytesOf(once('int8-matmul', () => int8MatMul(linear(op))).q);
      case 'int8-matmul-scale':
        return bytesOf(once('int8-matmul', () => int8MatMul(linear(op))).scale);
      case 'int8-matmul-zp':
        return new Uint8Array(linear(op).rows);
      case 'int8-gather-q':
        return bytesOf(once('int8-gather', () => int8Gather(src)).q);
      case 'int8-gather-scale':
        return bytesOf(once('int8-gather', () => int8Gather(src)).scale);
      case 'q4-packed':
        return bytesOf(once('q4', () => q4MatMul(linear(op))).packed);
      case 'q4-scales':
        return bytesOf(once('q4', () => q4MatMul(linear(op))).scale);
    }
  };
}
