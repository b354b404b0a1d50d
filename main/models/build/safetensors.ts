/**
 * @file A streaming safetensors reader: the header of every shard of a checkpoint (whole, or sharded
 * with `model.safetensors.index.json`), and one tensor at a time as float32, read with positional reads
 * so a multi-gigabyte shard is never in memory.
 *
 * Runs in main (the bundle build, main/models/build/build-bundle.ts). Plain Node; no Electron.
 *
 * The format (huggingface/safetensors README): an 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`, then the tensors' bytes,
 * little-endian, offsets relative to the end of the header. Every header is checked against the file
 * before a byte of data is read: offsets inside the file, sizes equal to dtype × shape, no overlaps.
 * Tensors are viewed as typed arrays in place: the host must be little-endian, as every platform
 * Shoebox ships for (x64, arm64) is.
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Dtypes the build reads (InternVL checkpoints are BF16; FP16 and F32 appear in copies). */
const DTYPE_BYTES = { BF16: 2, F16: 2, F32: 4 } as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** Largest header accepted: real headers are tens of KB; this bounds what a corrupt file can make us read. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** Raised for a checkpoint file that is not what it claims (names the file and the problem). */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** One tensor of a checkpoint: where its bytes are and what they are. */
export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  file: string;
  /** Absolute byte offset in `file`. */
  start: number;
  bytes: number;
}

/** The tensors of one shard, in file order. */
export async function readShardHeader(file: string): Promise<TensorEntry[]> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const where = path.basename(file);
    if (size < 8) throw new CheckpointError(`${where} is ${size} bytes long, too short for a safetensors file`);
    const head = await readExactly(fh, 0, 8, where);
    const hlen = Number(head.readBigUInt64LE(0));
    if (hlen < 2 || hlen > MAX_HEADER_BYTES || 8 + hlen > size) {
      throw new CheckpointError(
        `${where}: header length ${hlen} does not fit the file (${size} bytes): not a safetensors file, or truncated`,
      );
    }
    let header: unknown;
    try {
      header = JSON.parse((await readExactly(fh, 8, hlen, where)).toString('utf8'));
    } catch {
      throw new CheckpointError(`${where}: the safetensors header is not valid JSON`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      throw new CheckpointError(`${where}: the safetensors header is not a JSON object`);
    }
    const base = 8 + hlen;
    const out: TensorEntry[] = [];
    for (const [name, meta] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') continue;
      out.push(parseEntry(name, meta, file, base, size, where));
    }
    out.sort((a, b) => a.start - b.start);
    for (let i = 1; i < out.length; i++) {
      const prev = out[i - 1]!;
      if (out[i]!.start < prev.start + prev.bytes) throw new CheckpointError(`${where}: tensors ${prev.name} and ${out[i]!.name} overlap`);
    }
    return out;
  } finally {
    await fh.close();
  }
}

function parseEntry(name: string, meta: unknown, file: string, base: number, size: number, where: string): TensorEntry {
  const m = meta as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const bad = (why: string) => new CheckpointError(`${where}: tensor ${name}: ${why}`);
  if (typeof m !== 'object' || m === null) throw bad('no description');
  if (typeof m.dtype !== 'string' || !(m.dtype in DTYPE_BYTES)) {
    throw bad(`dtype ${String(m.dtype)} is not one Shoebox reads (${Object.keys(DTYPE_BYTES).join(', ')})`);
  }
  const dtype = m.dtype as SafetensorsDtype;
  if (!Array.isArray(m.shape) || !m.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw bad('malformed shape');
  const shape = m.shape as number[];
  const off = m.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw bad('malformed data_offsets');
  }
  const [begin, end] = off as [number, number];
  const numel = shape.reduce((a, b) => a * b, 1);
  if (end - begin !== numel * DTYPE_BYTES[dtype])
    throw bad(`holds ${end - begin} bytes, but ${dtype} ${JSON.stringify(shape)} needs ${numel * DTYPE_BYTES[dtype]}`);
  if (base + end > size) throw bad(`its bytes end at ${base + end}, past the end of the file (${size} bytes): the file is truncated`);
  return { name, dtype, shape, file, start: base + begin, bytes: end - begin };
}

async function readExactly(fh: FileHandle, position: number, length: number, where: string): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) throw new CheckpointError(`${where}: unexpected end of file at byte ${position + got}`);
    got += bytesRead;
  }
  return buf;
}

/**
 * The shard files of the checkpoint in `dir`: `model.safetensors`, or the files that
 * `model.safetensors.index.json` maps weights to (each must exist).
 */
export async function checkpointShards(dir: string): Promise<string[]> {
  const index = path.join(dir, 'model.safetensors.index.json');
  const text = await readFile(index, 'utf8').catch(() => null);
  if (text === null) {
    const single = path.join(dir, 'model.safetensors');
    if (!(await stat(single).catch(() => null))?.isFile())
      throw new CheckpointError(`${dir} has neither model.safetensors nor model.safetensors.index.json`);
    return [single];
  }
  let map: unknown;
  try {
    map = (JSON.parse(text) as { weight_map?: unknown }).weight_map;
  } catch {
    throw new CheckpointError('model.safetensors.index.json is not valid JSON');
  }
  if (typeof map !== 'object' || map === null) throw new CheckpointError('model.safetensors.index.json has no weight_map');
  const files = [...new Set(Object.values(map as Record<string, unknown>))];
  if (files.length === 0 || !files.every((f) => typeof f === 'string' && /^[\w.-]+\.safetensors$/.test(f))) {
    throw new CheckpointError('model.safetensors.index.json names shard files that are not plain *.safetensors names');
  }
  return (files as string[]).sort().map((f) => path.join(dir, f));
}

/** Every tensor of every shard; a name in two shards is an error. */
export async function readCheckpointIndex(dir: string): Promise<TensorEntry[]> {
  const all: TensorEntry[] = [];
  const seen = new Set<string>();
  for (const shard of await checkpointShards(dir)) {
    for (const e of await readShardHeader(shard)) {
      if (seen.has(e.name)) throw new CheckpointError(`tensor ${e.name} is in more than one shard`);
      seen.add(e.name);
      all.push(e);
    }
  }
  return all;
}

/** Reads one tensor and widens it to float32 (bf16 and fp16 exactly: every value is representable). */
export async function readTensorF32(e: TensorEntry): Promise<Float32Array> {
  const fh = await open(e.file, 'r');
  let raw: Buffer;
  try {
    raw = await readExactly(fh, e.start, e.bytes, path.basename(e.file));
  } finally {
    await fh.close();
  }
  return toFloat32(raw, e.dtype);
}

/** Little-endian raw bytes of `dtype` → float32. */
export function toFloat32(raw: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  const n = raw.length / DTYPE_BYTES[dtype];
  const out = new Float32Array(n);
  if (dtype === 'F32') {
    new Uint8Array(out.buffer).set(raw);
    return out;
  }
  // A view when aligned (large reads are never pooled); a copy when `raw` sits at an odd offset.
  const u16 = raw.byteOffset % 2 === 0 ? new Uint16Array(raw.buffer, raw.byteOffset, n) : new Uint16Array(Uint8Array.from(raw).buffer);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = u16[i]! << 16;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = halfToFloat(u16[i]!);
  return out;
}

/** IEEE binary16 bits → number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
