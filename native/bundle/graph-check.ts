/**
 * @file Reads the input/output signature of an ONNX file straight from its protobuf (no
 * onnxruntime) and checks it against the bundle manifest.
 *
 * Runs in the worker (before sessions are created, so a mismatched bundle fails with a clear
 * message instead of a shape error mid-generation) and in main's model manager. Only the graph's
 * `input` and `output` value-infos are parsed; nodes and initializers are skipped by length, so a
 * 1 GB graph costs a few thousand small reads.
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import path from 'node:path';
import { BundleError, type GraphRole, type Manifest } from './manifest';

/** One graph input or output. `dims` holds numbers for fixed axes and strings for symbolic ones. */
export interface GraphValue {
  name: string;
  elemType: number;
  dims: (number | string)[];
}

/** ONNX TensorProto element types used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** Buffered positional reader over a file. */
class Cursor {
  private buf = Buffer.alloc(1 << 16);
  private bufStart = 0;
  private bufLen = 0;
  pos = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  byte(): number {
    if (this.pos >= this.size) throw new Error('unexpected end of file');
    if (this.pos < this.bufStart || this.pos >= this.bufStart + this.bufLen) {
      this.bufStart = this.pos;
      this.bufLen = readSync(this.fd, this.buf, 0, this.buf.length, this.pos);
      if (this.bufLen <= 0) throw new Error('unexpected end of file');
    }
    return this.buf[this.pos++ - this.bufStart]!;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('malformed varint');
  }
  bytes(n: number): Buffer {
    if (this.pos + n > this.size) throw new Error('field runs past end of file');
    const out = Buffer.alloc(n);
    readSync(this.fd, out, 0, n, this.pos);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        return;
      case 2: {
        const len = this.varint(); // read first: `this.pos += this.varint()` would add to the old pos
        this.pos += len;
        return;
      }
      case 5:
        this.pos += 4;
        return;
      default:
        throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
}

/** Iterates the fields of a protobuf message held in memory. */
function* fields(buf: Buffer): Generator<{ field: number; wire: number; value: number | Buffer }> {
  let p = 0;
  const varint = (): number => {
    let r = 0;
    let m = 1;
    for (;;) {
      const b = buf[p++];
      if (b === undefined) throw new Error('truncated message');
      r += (b & 0x7f) * m;
      if ((b & 0x80) === 0) return r;
      m *= 128;
    }
  };
  while (p < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 2) {
      const n = varint();
      yield { field, wire, value: buf.subarray(p, p + n) };
      p += n;
    } else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function parseValueInfo(buf: Buffer): GraphValue {
  const v: GraphValue = { name: '', elemType: 0, dims: [] };
  for (const f of fields(buf)) {
    if (f.field === 1 && Buffer.isBuffer(f.value)) v.name = f.value.toString('utf8');
    if (f.field === 2 && Buffer.isBuffer(f.value)) {
      for (const t of fields(f.value)) {
        if (t.field !== 1 || !Buffer.isBuffer(t.value)) continue; // tensor_type
        for (const tt of fields(t.value)) {
          if (tt.field === 1 && typeof tt.value === 'number') v.elemType = tt.value;
          if (tt.field === 2 && Buffer.isBuffer(tt.value)) {
            for (const d of fields(tt.value)) {
              if (d.field !== 1 || !Buffer.isBuffer(d.value)) continue;
              let dim: number | string = '?';
              for (const dd of fields(d.value)) {
                if (dd.field === 1 && typeof dd.value === 'number') dim = dd.value;
                if (dd.field === 2 && Buffer.isBuffer(dd.value)) dim = dd.value.toString('utf8');
              }
              v.dims.push(dim);
            }
          }
        }
      }
    }
  }
  return v;
}

/** Reads the graph inputs and outputs of an ONNX file. Throws {@link BundleError} if unreadable. */
export function readGraphSignature(file: string): { inputs: GraphValue[]; outputs: GraphValue[] } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new BundleError(`cannot open ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const c = new Cursor(fd, fstatSync(fd).size);
    const inputs: GraphValue[] = [];
    const outputs: GraphValue[] = [];
    let sawGraph = false;
    while (c.pos < c.size) {
      const tag = c.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (field === 7 && wire === 2) {
        sawGraph = true;
        const len = c.varint();
        const end = c.pos + len;
        while (c.pos < end) {
          const gtag = c.varint();
          const gf = Math.floor(gtag / 8);
          const gw = gtag & 7;
          if ((gf === 11 || gf === 12) && gw === 2) {
            const vi = parseValueInfo(c.bytes(c.varint()));
            (gf === 11 ? inputs : outputs).push(vi);
          } else c.skip(gw);
        }
        if (c.pos !== end) throw new Error('graph field length mismatch');
      } else c.skip(wire);
    }
    if (c.pos !== c.size) throw new Error('trailing bytes after the last field');
    if (!sawGraph || outputs.length === 0) throw new Error('no graph in file');
    return { inputs, outputs };
  } catch (e) {
    if (e instanceof BundleError) throw e;
    throw new BundleError(`${path.basename(file)} is not a readable ONNX model (${(e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/** Inputs a graph may have beyond the manifest's; the engine feeds them when present. */
export const OPTIONAL_INPUTS: readonly string[] = ['num_logits_to_keep'];

type Expect = { name: string; elemType: number; dims: (number | null)[] };

/** What the manifest says each role's graph must look like (null = any / symbolic). */
export function expectedSignature(role: GraphRole, m: Manifest): { inputs: Expect[]; outputs: Expect[] } {
  const D = m.llm.hidden_size;
  const s = m.image.size;
  switch (role) {
    case 'vision_encoder':
      return {
        inputs: [{ name: 'pixel_values', elemType: ONNX_FLOAT, dims: [null, 3, s, s] }],
        outputs: [{ name: 'image_features', elemType: ONNX_FLOAT, dims: [null, m.image.num_image_token, D] }],
      };
    case 'embed_tokens':
      return {
        inputs: [{ name: 'input_ids', elemType: ONNX_INT64, dims: [null, null] }],
        outputs: [{ name: 'inputs_embeds', elemType: ONNX_FLOAT, dims: [null, null, D] }],
      };
    case 'decoder_model_merged': {
      const kv = (prefix: string): Expect[] =>
        Array.from({ length: m.llm.num_layers }, (_, i) =>
          ['key', 'value'].map((k) => ({
            name: `${prefix}.${i}.${k}`,
            elemType: ONNX_FLOAT,
            dims: [null, m.llm.num_kv_heads, null, m.llm.head_dim],
          })),
        ).flat();
      return {
        inputs: [
          { name: 'inputs_embeds', elemType: ONNX_FLOAT, dims: [null, null, D] },
          { name: 'attention_mask', elemType: ONNX_INT64, dims: [null, null] },
          { name: 'position_ids', elemType: ONNX_INT64, dims: [null, null] },
          ...kv('past_key_values'),
        ],
        outputs: [{ name: 'logits', elemType: ONNX_FLOAT, dims: [null, null, m.llm.vocab_size] }, ...kv('present')],
      };
    }
  }
}

/**
 * Checks that a graph file's inputs/outputs match what the manifest implies for its role.
 * Extra optional inputs are refused (the engine would not feed them); names, element types, rank
 * and every fixed dim must agree. Throws {@link BundleError} naming the first disagreement.
 */
export function checkGraph(file: string, role: GraphRole, m: Manifest): void {
  const sig = readGraphSignature(file);
  const exp = expectedSignature(role, m);
  const base = path.basename(file);
  for (const side of ['inputs', 'outputs'] as const) {
    const got = new Map(sig[side].map((v) => [v.name, v]));
    for (const e of exp[side]) {
      const g = got.get(e.name);
      if (g === undefined) {
        throw new BundleError(`${base}: manifest expects ${side.slice(0, -1)} "${e.name}", the graph has none`);
      }
      if (g.elemType !== e.elemType) {
        throw new BundleError(`${base}: ${e.name} has element type ${g.elemType}, expected ${e.elemType}`);
      }
      if (g.dims.length !== e.dims.length) {
        throw new BundleError(`${base}: ${e.name} has rank ${g.dims.length}, expected ${e.dims.length}`);
      }
      e.dims.forEach((d, i) => {
        const gd = g.dims[i];
        if (d !== null && typeof gd === 'number' && gd !== d) {
          throw new BundleError(`${base}: ${e.name} dim ${i} is ${gd}, manifest implies ${d}`);
        }
      });
      got.delete(e.name);
    }
    for (const optional of OPTIONAL_INPUTS) got.delete(optional);
    if (side === 'inputs' && got.size > 0) {
      throw new BundleError(`${base}: unexpected graph inputs ${[...got.keys()].join(', ')}`);
    }
  }
}
