/**
 * @file The text embedder's catalog data: the pinned granite-embedding-97m-multilingual-r2 source, its
 * variant graphs among the recorded files, and embedding settings a text-embedder manifest accepts.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, catalogEntry, pinnedHubSource, TEXT_EMBEDDERS, textEmbedderEntry } from '../../main/models/catalog';
import { parseEmbedderManifest } from '../../native/bundle/embedder-manifest';

describe('text-embedder catalog', () => {
  const e = textEmbedderEntry('granite-embedding-97m-multilingual-r2')!;

  it('pins the authors’ repository at a full commit, with the int8 and fp32 ONNX graphs', () => {
    expect(TEXT_EMBEDDERS.map((x) => x.id)).toEqual(['granite-embedding-97m-multilingual-r2']);
    expect(e.family).toBe('text-embedder');
    const { source } = pinnedHubSource(e);
    expect(source).toMatchObject({ repo: 'ibm-granite/granite-embedding-97m-multilingual-r2', layout: 'onnx-embedder' });
    expect(source?.revision).toMatch(/^[0-9a-f]{40}$/);
    const files = new Map(e.textEmbedder!.files.map((f) => [f.path, f]));
    for (const v of e.variants) {
      const graph = source?.variantFiles?.[v];
      expect(graph, v).toBeDefined();
      expect(files.get(graph!)?.sha256, v).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(files.has('tokenizer.json')).toBe(true);
    expect(e.approxBytes['int8']).toBeLessThan(e.approxBytes['fp32']!);
  });

  it('says how vectors are made in terms a text-embedder manifest accepts', () => {
    const t = e.textEmbedder!;
    expect(t).toMatchObject({ dim: 384, pooling: 'cls', normalize: true, prefixes: { query: '', passage: '' } });
    const source = pinnedHubSource(e).source!;
    const manifest = parseEmbedderManifest(
      JSON.stringify({
        schema: 1,
        id: e.id,
        name: e.name,
        family: e.family,
        version: '1',
        source: `${source.repo}@${source.revision}`,
        random_weights: false,
        architecture: 'modernbert',
        embedding: { dim: t.dim, pooling: t.pooling, normalize: t.normalize, max_length: 512, prefixes: t.prefixes },
        tokens: { cls: 179934, sep: 179938, pad: 179938 },
        graph: { output: 'last_hidden_state' },
        variants: Object.fromEntries(e.variants.map((v) => [v, { model: source.variantFiles![v] }])),
        files: t.files,
      }),
    );
    expect(manifest.variants['int8']?.model).toBe('onnx/model_quint8_avx2.onnx');
  });

  it('leaves the vision-language catalog as it was', () => {
    expect(CATALOG.every((x) => x.family === 'internvl')).toBe(true);
    expect(catalogEntry(e.id)).toBeUndefined();
  });
});
