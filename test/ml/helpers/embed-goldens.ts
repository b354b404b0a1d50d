/**
 * @file The tiny embedder's goldens (test/fixtures/goldens/tiny-embedder.json) and the engine's vectors for
 * their texts with one bundle variant. Also a tiny program, so a test can run it in another process, e.g.
 * under an emulated CPU: `node --import tsx test/ml/helpers/embed-goldens.ts BUNDLE VARIANT OUT.json`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { embedTexts } from '../../../native/pipelines/embed';
import { TextEmbedderModel } from '../../../native/runtime/text-embedder-model';

export { cosine } from './first-logits';

export const EMBEDDER_BUNDLE = 'test/fixtures/models/tiny-embedder';
export const EMBEDDER_GOLDENS = 'test/fixtures/goldens/tiny-embedder.json';

/** One golden text: its model input ids and the PyTorch reference vector. */
export interface EmbedderGoldenCase {
  name: string;
  text: string;
  ids: number[];
  truncated: boolean;
  vector: number[];
}

/** The goldens file (format: native/export/BUNDLE-SPEC.md, "Text-embedder goldens"). */
export interface EmbedderGoldens {
  model: string;
  kind: 'query' | 'passage';
  max_length: number;
  dim: number;
  cases: EmbedderGoldenCase[];
  overrides: {
    name: string;
    kind: 'query' | 'passage';
    embedding: { pooling: 'cls' | 'mean'; prefixes: { query: string; passage: string } };
    cases: { name: string; ids: number[]; vector: number[] }[];
  }[];
}

export function readEmbedderGoldens(): EmbedderGoldens {
  return JSON.parse(readFileSync(EMBEDDER_GOLDENS, 'utf8')) as EmbedderGoldens;
}

/** The engine's vectors for every golden text, on the CPU provider. */
export async function goldenVectors(bundle: string, variant: string): Promise<number[][]> {
  const g = readEmbedderGoldens();
  const model = await TextEmbedderModel.load(bundle, { variant, executionProviders: ['cpu'] });
  try {
    return (await embedTexts(model, { texts: g.cases.map((c) => c.text), kind: g.kind })).vectors;
  } finally {
    await model.release();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [bundle, variant, out] = process.argv.slice(2);
  if (bundle === undefined || variant === undefined || out === undefined) {
    throw new Error('usage: embed-goldens.ts BUNDLE VARIANT OUT.json');
  }
  writeFileSync(out, JSON.stringify(await goldenVectors(bundle, variant)));
}
