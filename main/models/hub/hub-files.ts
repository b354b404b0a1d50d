/**
 * @file Which files of a hub revision Shoebox fetches, by repository layout, and whether the revision
 * has everything it needs: a checkpoint in OpenGVLab's original InternVL layout or in the
 * transformers-native `-hf` layout (config, safetensors weights, tokenizer files), or a text embedder
 * whose authors publish ONNX graphs and `tokenizer.json`.
 *
 * Runs in main. Pure; no I/O.
 *
 * [Note: Hub file selection] Only the files a layout names are fetched: weights, configs and tokenizer
 * files, never the repository's Python code (Shoebox runs no remote code), example media, training
 * logs or other formats. A listing that lacks a required file (no config.json, no weights, a shard of a
 * sharded checkpoint missing, no tokenizer) is refused before any byte is downloaded, naming what is
 * missing.
 */
import type { ExpectedFile } from '../download-file';

/** How a repository lays out its files (see {@link selectHubFiles}). */
export type HubLayout = 'internvl-chat' | 'internvl-hf' | 'onnx-embedder';

/** The safetensors weights, whole or sharded, and the index of a sharded checkpoint. */
const WEIGHTS = [/^model(-\d{5}-of-\d{5})?\.safetensors$/, /^model\.safetensors\.index\.json$/];
/** Tokenizer and config files both InternVL layouts may carry. */
const TOKENIZER = [
  /^tokenizer\.json$/,
  /^tokenizer_config\.json$/,
  /^special_tokens_map\.json$/,
  /^added_tokens\.json$/,
  /^vocab\.json$/,
  /^merges\.txt$/,
];
const CONFIG = [/^config\.json$/, /^generation_config\.json$/, /^preprocessor_config\.json$/];

interface LayoutRule {
  /** Files fetched when the revision lists them. */
  include: RegExp[];
  /** Each group needs one of its alternatives listed in full. */
  required: { what: string; anyOf: string[][] }[];
}

const INTERNVL_REQUIRED: LayoutRule['required'] = [
  { what: 'config.json', anyOf: [['config.json']] },
  {
    what: 'the weights (model.safetensors or model.safetensors.index.json)',
    anyOf: [['model.safetensors'], ['model.safetensors.index.json']],
  },
  { what: 'a tokenizer (tokenizer.json, or vocab.json and merges.txt)', anyOf: [['tokenizer.json'], ['vocab.json', 'merges.txt']] },
  { what: 'tokenizer_config.json', anyOf: [['tokenizer_config.json']] },
];

const RULES: Record<HubLayout, LayoutRule> = {
  'internvl-chat': { include: [...CONFIG, ...WEIGHTS, ...TOKENIZER], required: INTERNVL_REQUIRED },
  'internvl-hf': {
    include: [...CONFIG, ...WEIGHTS, ...TOKENIZER, /^processor_config\.json$/, /^chat_template\.(json|jinja)$/],
    required: INTERNVL_REQUIRED,
  },
  // A sentence-transformers repository: its module list and pooling config say how to pool and
  // whether to normalise (hub-manifest.ts reads them); the graphs come with the variants asked for.
  'onnx-embedder': {
    include: [
      /^config\.json$/,
      /^tokenizer\.json$/,
      /^tokenizer_config\.json$/,
      /^special_tokens_map\.json$/,
      /^modules\.json$/,
      /^1_Pooling\/config\.json$/,
      /^sentence_bert_config\.json$/,
      /^config_sentence_transformers\.json$/,
    ],
    required: [
      { what: 'config.json', anyOf: [['config.json']] },
      { what: 'tokenizer.json', anyOf: [['tokenizer.json']] },
      {
        what: 'the sentence-transformers module list (modules.json, 1_Pooling/config.json)',
        anyOf: [['modules.json', '1_Pooling/config.json']],
      },
    ],
  },
};

/** Thrown when a revision lacks what its layout needs or asks for an unknown variant. */
export class HubSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubSelectionError';
  }
}

/** Options of {@link selectHubFiles}. */
export interface HubSelection {
  layout: HubLayout;
  /**
   * For a layout with graph variants (the ONNX embedder): the graph file of each variant, e.g.
   * `{ fp32: 'onnx/model.onnx' }`. A graph's `<file>_data` (ONNX external data) comes with it.
   */
  variantFiles?: Readonly<Record<string, string>>;
  /** Variants to fetch (all listed ones when omitted or empty). */
  variants?: readonly string[] | undefined;
}

/**
 * The files to fetch from a listing ([Note: Hub file selection]) and, for a layout with variants, the
 * variants they cover. Throws {@link HubSelectionError} naming what the revision lacks.
 */
export function selectHubFiles(listing: readonly ExpectedFile[], sel: HubSelection): { files: ExpectedFile[]; variants: string[] } {
  const rule = RULES[sel.layout];
  const listed = new Map(listing.map((f) => [f.path, f]));
  const wanted = new Set(listing.filter((f) => rule.include.some((re) => re.test(f.path))).map((f) => f.path));

  const variants: string[] = [];
  if (sel.variantFiles) {
    const all = Object.keys(sel.variantFiles);
    const ask = sel.variants && sel.variants.length > 0 ? [...new Set(sel.variants)] : all;
    for (const v of ask) {
      const graph = sel.variantFiles[v];
      if (graph === undefined) throw new HubSelectionError(`there is no variant "${v}" (there are: ${all.join(', ')})`);
      if (!listed.has(graph)) {
        // Asked for by name: its absence is an error. Taken by default: a variant the revision lacks is skipped.
        if (sel.variants && sel.variants.length > 0) throw new HubSelectionError(`the revision lacks ${graph}, the ${v} variant's graph`);
        continue;
      }
      wanted.add(graph);
      if (listed.has(`${graph}_data`)) wanted.add(`${graph}_data`);
      variants.push(v);
    }
    if (variants.length === 0)
      throw new HubSelectionError(`the revision has none of the graphs Shoebox knows (${Object.values(sel.variantFiles).join(', ')})`);
  }

  const missing = rule.required.filter((g) => !g.anyOf.some((alt) => alt.every((p) => wanted.has(p)))).map((g) => g.what);
  missing.push(...missingShards(wanted));
  if (missing.length > 0) throw new HubSelectionError(`the revision lacks ${missing.join(', ')}`);
  return { files: listing.filter((f) => wanted.has(f.path)), variants };
}

/**
 * Shards a sharded checkpoint names but the listing lacks: `model-00002-of-00003.safetensors` means
 * shards 1 to 3 must all be there, and shards need their index.
 */
function missingShards(wanted: ReadonlySet<string>): string[] {
  const counts = new Set<number>();
  for (const p of wanted) {
    const m = /^model-\d{5}-of-(\d{5})\.safetensors$/.exec(p);
    if (m) counts.add(Number(m[1]));
  }
  const missing: string[] = [];
  if (counts.size > 0 && !wanted.has('model.safetensors.index.json')) missing.push('model.safetensors.index.json');
  if (counts.size === 0 && wanted.has('model.safetensors.index.json') && !wanted.has('model.safetensors')) {
    missing.push('the shards model.safetensors.index.json names (model-0000N-of-0000M.safetensors)');
  }
  for (const n of counts) {
    for (let k = 1; k <= n; k++) {
      const name = `model-${String(k).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
      if (!wanted.has(name)) missing.push(name);
    }
  }
  return missing;
}
