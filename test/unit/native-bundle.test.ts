/**
 * @file Unit tests of the bundle manifest schema, `loadBundle` file checks and the ONNX signature
 * reader/checker, on copies of the tiny test bundle (real ONNX files).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkGraph, readGraphSignature } from '../../native/bundle/graph-check';
import { BundleError, loadBundle, parseManifest, type Manifest } from '../../native/bundle/manifest';

const BUNDLE = 'test/fixtures/models/tiny-internvl';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'shoebox-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const manifestText = readFileSync(path.join(BUNDLE, 'manifest.json'), 'utf8');

function copy(name: string, edit?: (m: Manifest) => void): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  copyFileSync(path.join(BUNDLE, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  for (const f of readdirSync(path.join(BUNDLE, 'onnx'))) copyFileSync(path.join(BUNDLE, 'onnx', f), path.join(dir, 'onnx', f));
  const m = JSON.parse(manifestText) as Manifest;
  edit?.(m);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
  return dir;
}

describe('manifest', () => {
  it('parses the tiny bundle manifest', () => {
    const m = parseManifest(manifestText);
    expect(m.id).toBe('tiny-internvl');
    expect(m.tokens.img_context).toBe(261);
  });

  it('lists every schema problem', () => {
    const bad = JSON.parse(manifestText) as Record<string, unknown>;
    bad.id = 'Bad Id';
    delete bad.llm;
    expect(() => parseManifest(JSON.stringify(bad))).toThrow(/id: id must match.*llm/s);
    expect(() => parseManifest('{')).toThrow(/not valid JSON/);
  });

  it('checks image token arithmetic', () => {
    const m = JSON.parse(manifestText) as Manifest;
    m.image.num_image_token = 100;
    expect(() => parseManifest(JSON.stringify(m))).toThrow(/num_image_token 100/);
  });

  it('loads a good bundle, with sha256 too', async () => {
    const b = await loadBundle(copy('good'), { verifySha256: true });
    expect(Object.keys(b.variants)).toContain('fp32');
    expect(b.variants.fp32!.decoder_model_merged).toMatch(/decoder_model_merged\.onnx$/);
  });

  it('refuses missing manifests, wrong sizes and paths outside the bundle', async () => {
    await expect(loadBundle(path.join(tmp, 'nothing'))).rejects.toThrow(/cannot read .*manifest\.json/);
    const sized = copy('sized', (m) => {
      m.files[0]!.bytes += 1;
    });
    await expect(loadBundle(sized)).rejects.toThrow(BundleError);
    const escape = copy('escape', (m) => {
      m.files.push({ path: '../../etc/passwd', bytes: 1 });
    });
    await expect(loadBundle(escape)).rejects.toThrow(/outside the bundle/);
    const unlisted = copy('unlisted', (m) => {
      m.variants.fp32!.vision_encoder = 'onnx/other.onnx';
    });
    await expect(loadBundle(unlisted)).rejects.toThrow(/not listed/);
  });
});

describe('ONNX signature', () => {
  const m = parseManifest(manifestText);

  it('reads the decoder inputs and outputs', () => {
    const sig = readGraphSignature(path.join(BUNDLE, 'onnx/decoder_model_merged.onnx'));
    const names = sig.inputs.map((i) => i.name);
    expect(names.slice(0, 3)).toEqual(['inputs_embeds', 'attention_mask', 'position_ids']);
    expect(names).toContain('past_key_values.1.value');
    const logits = sig.outputs.find((o) => o.name === 'logits')!;
    expect(logits.dims[2]).toBe(268);
    expect(typeof logits.dims[0]).toBe('string');
  });

  it('accepts the tiny bundle and names disagreements', () => {
    for (const role of ['vision_encoder', 'embed_tokens', 'decoder_model_merged'] as const) {
      checkGraph(path.join(BUNDLE, `onnx/${role}.onnx`), role, m);
    }
    const fewerLayers = { ...m, llm: { ...m.llm, num_layers: 3 } };
    expect(() => checkGraph(path.join(BUNDLE, 'onnx/decoder_model_merged.onnx'), 'decoder_model_merged', fewerLayers)).toThrow(
      /expects input "past_key_values\.2\.key"/,
    );
    const otherVocab = { ...m, llm: { ...m.llm, vocab_size: 300 } };
    expect(() => checkGraph(path.join(BUNDLE, 'onnx/decoder_model_merged.onnx'), 'decoder_model_merged', otherVocab)).toThrow(
      /logits dim 2 is 268, manifest implies 300/,
    );
    expect(() => checkGraph(path.join(BUNDLE, 'onnx/embed_tokens.onnx'), 'vision_encoder', m)).toThrow(/pixel_values/);
  });

  it('refuses files that are not ONNX', () => {
    const f = path.join(tmp, 'junk.onnx');
    writeFileSync(f, Buffer.from('this is not a protobuf at all, just text\n'));
    expect(() => readGraphSignature(f)).toThrow(/not a readable ONNX model/);
    expect(() => readGraphSignature(path.join(tmp, 'absent.onnx'))).toThrow(/cannot open/);
  });
});
