/**
 * @file Tiles → `pixel_values`: uint8 RGB to float32 CHW with ImageNet normalisation, plus a
 * writer for float32 `.npy` files (the debug preprocess command and golden comparisons).
 *
 * Runs in the inference worker. Matches torchvision's `ToTensor` + `Normalize`: `(v/255 - mean)/std`
 * computed in float32.
 */
import type { RgbImage } from './pil-resize';

/** Pixel values of all tiles: data is [T, 3, S, S] float32, row-major. */
export interface PixelValues {
  data: Float32Array;
  dims: [number, number, number, number];
}

/** Normalises square tiles into one [T,3,S,S] float32 buffer. */
export function normalizeTiles(
  tiles: readonly RgbImage[],
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): PixelValues {
  const first = tiles[0];
  if (first === undefined) throw new RangeError('no tiles to normalise');
  const s = first.width;
  const plane = s * s;
  const out = new Float32Array(tiles.length * 3 * plane);
  // Per-byte lookup tables computed in float32, as torch does ((x/255 - m)/s in float32).
  const lut = [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    const m = Math.fround(mean[c]!);
    const sd = Math.fround(std[c]!);
    for (let v = 0; v < 256; v++) t[v] = Math.fround(Math.fround(Math.fround(v / 255) - m) / sd);
    return t;
  }) as [Float32Array, Float32Array, Float32Array];
  tiles.forEach((tile, t) => {
    if (tile.width !== s || tile.height !== s) throw new RangeError('tiles must all be the same square size');
    const base = t * 3 * plane;
    const d = tile.data;
    for (let i = 0; i < plane; i++) {
      out[base + i] = lut[0][d[i * 3]!]!;
      out[base + plane + i] = lut[1][d[i * 3 + 1]!]!;
      out[base + 2 * plane + i] = lut[2][d[i * 3 + 2]!]!;
    }
  });
  return { data: out, dims: [tiles.length, 3, s, s] };
}

/** Encodes a float32 array as a NumPy .npy (format 1.0, little-endian, C order). */
export function encodeNpyFloat32(data: Float32Array, shape: readonly number[]): Buffer {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

/** Decodes a float32 little-endian C-order .npy. */
export function decodeNpyFloat32(buf: Buffer): { data: Float32Array; shape: number[] } {
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('not an .npy file');
  const major = buf[6]!;
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  if (!header.includes("'<f4'")) throw new Error(`unsupported .npy dtype: ${header}`);
  if (header.includes("'fortran_order': True")) throw new Error('fortran-order .npy is not supported');
  const m = /'shape': \(([^)]*)\)/.exec(header);
  const shape = (m?.[1] ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .map(Number);
  const off = start + hlen;
  const bytes = buf.subarray(off);
  const copy = new Float32Array(bytes.length / 4);
  Buffer.from(copy.buffer).set(bytes.subarray(0, copy.length * 4));
  return { data: copy, shape };
}
