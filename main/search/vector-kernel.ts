/**
 * @file The inner loop of dense search: int8 dot products of one query with many stored vectors, in a
 * WebAssembly memory, with 128-bit SIMD. Used by ./vector-index.ts, which owns the memory's layout.
 *
 * Runs in main (and tests, the benchmark). The module is assembled here from its instructions (a few
 * hundred bytes, compiled synchronously at first use), so no build step and no binary file exists.
 *
 * [Note: Int8 SIMD kernel] Measured on these 2 cores, 1M × 384 dims, one thread: a float32 JS loop
 * takes 330 ms (and 1.5 GB), an int8 JS loop 440 ms, this kernel 26 ms (384 MB). Per 16 dimensions it
 * loads 16 int8 of the vector and of the query, multiplies them into 16 int16 products
 * (`i16x8.extmul_{low,high}_i8x16_s`: |127 × 128| fits int16), adds neighbouring pairs into four int32
 * lanes (`i32x4.extadd_pairwise_i16x8_s`) and accumulates; the four lanes are summed per vector. A sum
 * of at most 4096 products of |x| ≤ 128 fits int32. Where WebAssembly SIMD is missing (never in
 * Electron 45 or Node 20; checked with `WebAssembly.validate`) the same functions run as JS loops over
 * the same memory, about 15× slower.
 */

/** The part of WebAssembly's JS API used here. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
// main's tsconfig has no DOM lib and @types/node 20 does not declare WebAssembly: the global, typed here.
declare const WebAssembly: WasmApi;

/** `scan(q, base, n, stride, out)`: out[v] = Σ q[d]·vec_v[d] for v < n, vec_v at base + v·stride. */
type ScanFn = (q: number, base: number, n: number, stride: number, out: number) => void;
/** `scanList(q, base, m, stride, out, list)`: the same for the m vectors whose indexes are in list. */
type ScanListFn = (q: number, base: number, m: number, stride: number, out: number, list: number) => void;

export interface Int8Kernel {
  memory: WasmMemory;
  /** True when the SIMD module runs, false on the JS fallback. */
  simd: boolean;
  scan: ScanFn;
  scanList: ScanListFn;
}

/** Vectors are padded with zeros to a multiple of this many dimensions (one SIMD register). */
export const LANES = 16;

// ---- A minimal WebAssembly assembler: just what the two functions need. ----
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const I32 = 0x7f;
const V128 = 0x7b;
const simd = (op: number) => [0xfd, ...uleb(op)];
const OP = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  add: [0x6a],
  mul: [0x6c],
  shl: [0x74],
  ltU: [0x49],
  geU: [0x4f],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  i32Load: [0x28, 0x02, 0x00], // align 4, offset 0
  i32Store: [0x36, 0x02, 0x00],
  v128Load: [...simd(0x00), 0x04, 0x00], // align 16, offset 0
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  i32x4Lane: (lane: number) => [...simd(0x1b), lane],
  extaddPairwise: simd(0x7e), // i32x4.extadd_pairwise_i16x8_s
  extmulLow: simd(0x9c), // i16x8.extmul_low_i8x16_s
  extmulHigh: simd(0x9d), // i16x8.extmul_high_i8x16_s
  i32x4Add: simd(0xae),
};

/** The body of `scan` (list = false) or `scanList` (list = true). */
function scanBody(list: boolean): number[] {
  // Params: 0 q, 1 base, 2 n, 3 stride, 4 out, [5 list]. Locals: v, p (vector cursor), c (query cursor), e (vector end), acc, a, b.
  const P = list ? 6 : 5;
  const [v, p, c, e, acc, a, b] = [P, P + 1, P + 2, P + 3, P + 4, P + 5, P + 6];
  const index = list ? [...OP.get(5), ...OP.get(v), ...OP.i32(2), ...OP.shl, ...OP.add, ...OP.i32Load] : OP.get(v);
  const code = [
    ...OP.i32(0),
    ...OP.set(v),
    ...OP.block,
    ...OP.loop,
    ...[...OP.get(v), ...OP.get(2), ...OP.geU, ...OP.brIf(1)], // v >= n: done
    ...[...OP.get(1), ...index, ...OP.get(3), ...OP.mul, ...OP.add, ...OP.set(p)], // p = base + index·stride
    ...[...OP.get(p), ...OP.get(3), ...OP.add, ...OP.set(e)],
    ...[...OP.get(0), ...OP.set(c), ...OP.v128Zero, ...OP.set(acc)],
    ...OP.block,
    ...OP.loop,
    ...[...OP.get(p), ...OP.v128Load, ...OP.set(a), ...OP.get(c), ...OP.v128Load, ...OP.set(b)],
    ...[...OP.get(acc), ...OP.get(a), ...OP.get(b), ...OP.extmulLow, ...OP.extaddPairwise, ...OP.i32x4Add],
    ...[...OP.get(a), ...OP.get(b), ...OP.extmulHigh, ...OP.extaddPairwise, ...OP.i32x4Add, ...OP.set(acc)],
    ...[...OP.get(c), ...OP.i32(LANES), ...OP.add, ...OP.set(c)],
    ...[...OP.get(p), ...OP.i32(LANES), ...OP.add, ...OP.tee(p), ...OP.get(e), ...OP.ltU, ...OP.brIf(0)],
    ...OP.end,
    ...OP.end,
    // out[v] = the sum of the four lanes
    ...[...OP.get(4), ...OP.get(v), ...OP.i32(2), ...OP.shl, ...OP.add],
    ...[...OP.get(acc), ...OP.i32x4Lane(0), ...OP.get(acc), ...OP.i32x4Lane(1), ...OP.add],
    ...[...OP.get(acc), ...OP.i32x4Lane(2), ...OP.add, ...OP.get(acc), ...OP.i32x4Lane(3), ...OP.add, ...OP.i32Store],
    ...[...OP.get(v), ...OP.i32(1), ...OP.add, ...OP.set(v), ...OP.br(0)],
    ...OP.end,
    ...OP.end,
    ...OP.end,
  ];
  const fn = [
    ...vec([
      [...uleb(4), I32],
      [...uleb(3), V128],
    ]),
    ...code,
  ];
  return [...uleb(fn.length), ...fn];
}

/** The module: imports `env.memory`, exports `scan` and `scanList`. */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(
      1,
      vec([
        [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0],
        [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0],
      ]),
    ),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0], [1]])),
    ...section(
      7,
      vec([
        [...name('scan'), 0x00, 0],
        [...name('scanList'), 0x00, 1],
      ]),
    ),
    ...section(10, vec([scanBody(false), scanBody(true)])),
  ]);
}

let compiled: object | null | undefined;

/** The same two functions in JS, over the same memory (used where WebAssembly SIMD is missing, and as the tests' reference). */
export function jsKernel(memory: WasmMemory): Pick<Int8Kernel, 'scan' | 'scanList'> {
  const dot = (m: Int8Array, q: number, p: number, stride: number) => {
    let s = 0;
    for (let d = 0; d < stride; d++) s += m[q + d]! * m[p + d]!;
    return s;
  };
  return {
    scan(q, base, n, stride, out) {
      const m = new Int8Array(memory.buffer);
      const o = new Int32Array(memory.buffer, out, n);
      for (let v = 0; v < n; v++) o[v] = dot(m, q, base + v * stride, stride);
    },
    scanList(q, base, count, stride, out, list) {
      const m = new Int8Array(memory.buffer);
      const o = new Int32Array(memory.buffer, out, count);
      const l = new Int32Array(memory.buffer, list, count);
      for (let v = 0; v < count; v++) o[v] = dot(m, q, base + l[v]! * stride, stride);
    },
  };
}

/** A kernel over a new memory of `pages` 64 KiB pages (growable). `forceJs` is for tests. */
export function createKernel(pages: number, forceJs = false): Int8Kernel {
  const memory = new WebAssembly.Memory({ initial: Math.max(1, pages) });
  if (compiled === undefined) {
    const bytes = kernelModuleBytes();
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  if (compiled && !forceJs) {
    const exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as { scan: ScanFn; scanList: ScanListFn };
    return { memory, simd: true, scan: exports.scan, scanList: exports.scanList };
  }
  return { memory, simd: false, ...jsKernel(memory) };
}
