/**
 * The in-app bundle build (main/models/build/) on the tiny hub-layout checkpoints of
 * test/fixtures/checkpoints (made by native/export/make_checkpoint_fixtures.sh): the original layout
 * in F32 with only the slow tokenizer files, and the -hf layout in BF16 with tokenizer.json, both
 * sharded. Every graph data file must equal, byte for byte, what export.py's graphs hold for the same
 * weights (`expected.json`, computed by make_graphs.py's numpy recipe), for every variant; and bad
 * input (InternLM2, a truncated shard, a missing weight, two builds at once, a cancel mid-build) must
 * leave nothing half-made.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { hasValidMarker } from '../../main/models/bundle-files';
import { buildBundle, BUILDS_DIR, type BuildProgress } from '../../main/models/build/build-bundle';
import { loadBundle } from '../../native/bundle/manifest';

const GRAPHS = 'test/fixtures/graphs';
const CHECKPOINTS = 'test/fixtures/checkpoints';
const ALL = ['fp32', 'int8', 'q4', 'fp16'];

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'shoebox-build-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A copy of a fixture checkpoint (the build removes its source). */
function checkpoint(name: string): string {
  const dir = path.join(tmp, 'ck', name);
  cpSync(path.join(CHECKPOINTS, name), dir, { recursive: true });
  return dir;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const modelsDir = () => path.join(tmp, 'models');

function build(name: string, over: Partial<Parameters<typeof buildBundle>[0]> = {}) {
  return buildBundle({
    id: name,
    name,
    source: `OpenGVLab/${name}@${'a'.repeat(40)}`,
    checkpointDir: over.checkpointDir ?? checkpoint(name),
    modelsDir: modelsDir(),
    graphsDir: GRAPHS,
    variants: ALL,
    log: silentLog,
    ...over,
  });
}

describe('bundle build from a hub checkpoint', () => {
  for (const name of ['tiny-internvl', 'tiny-internvl-hf']) {
    it(`${name}: every variant's weights are export.py's, byte for byte`, async () => {
      const phases: string[] = [];
      const res = await build(name, { onProgress: (p: BuildProgress) => void (phases.at(-1) !== p.phase && phases.push(p.phase)) });
      expect(phases).toEqual(['checking', 'weights', 'hashing', 'installing']);
      expect(res.variants).toEqual(ALL);
      const expected = (
        JSON.parse(readFileSync(path.join(CHECKPOINTS, name, 'expected.json'), 'utf8')) as {
          data_sha256: Record<string, Record<string, string>>;
        }
      ).data_sha256;
      const suffix: Record<string, string> = { fp32: '', int8: '_int8', q4: '_q4', fp16: '_fp16' };
      for (const v of ALL) {
        for (const g of ['vision_encoder', 'embed_tokens', 'decoder_model_merged']) {
          expect(sha256(path.join(res.dir, 'onnx', `${g}${suffix[v]}.onnx_data`)), `${v} ${g}`).toBe(expected[v]![g]);
          expect(sha256(path.join(res.dir, 'onnx', `${g}${suffix[v]}.onnx`))).toBe(
            sha256(path.join(GRAPHS, 'tiny', `${g}${suffix[v]}.onnx`)),
          );
        }
      }
      const manifestText = readFileSync(path.join(res.dir, 'manifest.json'), 'utf8');
      expect(hasValidMarker(res.dir, manifestText)).toBe(true);
      const { manifest } = await loadBundle(res.dir, { verifySha256: true });
      const fixture = JSON.parse(readFileSync('test/fixtures/models/tiny-internvl/manifest.json', 'utf8')) as Record<string, unknown>;
      for (const k of ['image', 'tokens', 'llm', 'variants', 'template', 'system_message'])
        expect(manifest[k as keyof typeof manifest], k).toEqual(fixture[k]);
      // The source is gone after a verified build; nothing is left in the staging folder.
      expect(existsSync(path.join(tmp, 'ck', name))).toBe(false);
      expect(readdirSync(path.join(modelsDir(), BUILDS_DIR))).toEqual([]);
    });
  }

  it('keeps the checkpoint when asked', async () => {
    await build('tiny-internvl', { variants: ['fp32'], keepCheckpoint: true });
    expect(existsSync(path.join(tmp, 'ck', 'tiny-internvl', 'config.json'))).toBe(true);
  });

  it('refuses an InternLM2-based checkpoint before writing anything', async () => {
    const dir = checkpoint('tiny-internvl');
    const cfg = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { llm_config: { architectures: string[] } };
    cfg.llm_config.architectures = ['InternLM2ForCausalLM'];
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
    await expect(build('tiny-internvl', { checkpointDir: dir })).rejects.toThrow(/InternLM2-based InternVL .* not supported/);
    expect(existsSync(modelsDir())).toBe(false);
    expect(existsSync(path.join(dir, 'config.json'))).toBe(true);
  });

  it('refuses an architecture it has no graphs for, naming the difference', async () => {
    const dir = checkpoint('tiny-internvl');
    const cfg = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { llm_config: { num_hidden_layers: number } };
    cfg.llm_config.num_hidden_layers = 3;
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
    await expect(build('tiny-internvl', { checkpointDir: dir })).rejects.toThrow(/no graphs .*llm\.num_layers: 3 \(graphs: 2\)/);
  });

  it('refuses a truncated shard and a checkpoint missing a weight', async () => {
    const dir = checkpoint('tiny-internvl-hf');
    truncateSync(path.join(dir, 'model-00002-of-00003.safetensors'), 5000);
    await expect(build('tiny-internvl-hf', { checkpointDir: dir })).rejects.toThrow(/model-00002-of-00003\.safetensors.*truncated/);
    expect(existsSync(path.join(modelsDir(), 'tiny-internvl-hf'))).toBe(false);

    const dir2 = checkpoint('tiny-internvl');
    const idx = JSON.parse(readFileSync(path.join(dir2, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
    // The hub index names a shard that holds the weight; drop the weight from the map and its shard.
    const victim = Object.keys(idx.weight_map).find((k) => k.endsWith('norm.weight'))!;
    const shard = idx.weight_map[victim]!;
    for (const k of Object.keys(idx.weight_map)) if (idx.weight_map[k] === shard) delete idx.weight_map[k];
    writeFileSync(path.join(dir2, 'model.safetensors.index.json'), JSON.stringify(idx));
    await expect(build('tiny-internvl', { checkpointDir: dir2 })).rejects.toThrow(/lacks \d+ weights/);
  });

  it('a cancelled build leaves no bundle and no staging; the next build succeeds', async () => {
    const controller = new AbortController();
    const p = build('tiny-internvl', {
      keepCheckpoint: true,
      signal: controller.signal,
      onProgress: (pr) => {
        if (pr.phase === 'weights' && pr.done > 0) controller.abort();
      },
    });
    await expect(p).rejects.toThrow();
    expect(existsSync(path.join(modelsDir(), 'tiny-internvl'))).toBe(false);
    expect(readdirSync(path.join(modelsDir(), BUILDS_DIR))).toEqual([]);
    const res = await build('tiny-internvl', { variants: ['fp32'] });
    expect(existsSync(path.join(res.dir, 'manifest.json'))).toBe(true);
  });

  it('a leftover staging folder and lock of a killed build are replaced', async () => {
    const stale = path.join(modelsDir(), BUILDS_DIR, 'tiny-internvl', 'onnx');
    cpSync(path.join(GRAPHS, 'tiny'), stale, { recursive: true });
    writeFileSync(path.join(stale, 'vision_encoder.onnx_data'), 'half-written');
    // The lock of the killed build names a process that is gone (pid 2^22 + 1 is above Linux's pid_max default).
    writeFileSync(path.join(modelsDir(), BUILDS_DIR, 'tiny-internvl.lock'), String(2 ** 22 + 1));
    await build('tiny-internvl', { variants: ['fp32'] });
    const { manifest } = await loadBundle(path.join(modelsDir(), 'tiny-internvl'), { verifySha256: true });
    expect(Object.keys(manifest.variants)).toEqual(['fp32']);
  });

  it('refuses a second build of one id while the first runs', async () => {
    const results = await Promise.allSettled([
      build('tiny-internvl', { variants: ['fp32'] }),
      build('tiny-internvl', { variants: ['fp32'] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(String(rejected.reason)).toMatch(/already (being built|installed)|appeared in/);
    await loadBundle(path.join(modelsDir(), 'tiny-internvl'), { verifySha256: true });
  });
});
