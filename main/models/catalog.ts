/**
 * @file The model bundles Shoebox knows by name, and where a bundle lives on a download server.
 *
 * Runs in main. Pure data and URL building; no I/O.
 *
 * [Note: Remote bundle layout] A download server (any static HTTP(S) file server, a CDN, or a
 * Hugging Face-style `resolve/main` prefix) serves each bundle under its id:
 *
 *     ${baseUrl}/${id}/manifest.json          the bundle manifest (native/export/BUNDLE-SPEC.md)
 *     ${baseUrl}/${id}/${file.path}           every entry of the manifest's `files`, e.g.
 *     ${baseUrl}/${id}/tokenizer.json         ${baseUrl}/${id}/onnx/decoder_model_merged_q4.onnx
 *
 * Every file entry must carry `bytes` and `sha256`; the downloader refuses a manifest without them.
 * The server should honour `Range: bytes=N-` (206) so cut-off downloads resume; one that answers 200
 * instead makes the file start over. The base URL comes from the manager's `baseUrl` option, then
 * `SHOEBOX_MODEL_BASE_URL`, then the `modelBaseUrl` setting. Shoebox has no built-in public default:
 * nobody publishes InternVL bundles in this layout yet (design notes, internvl.md §0), so a user either
 * points Shoebox at a mirror made with native/export/ or imports a local bundle folder. When no base
 * URL is set, a catalog model with a `hub` source comes from its authors' Hugging Face repository
 * instead (main/models/hub/, [Note: Hub downloads]).
 *
 * [Note: Pinned hub revisions] Every `hub` source names its authors' repository and a full commit id,
 * never a branch: what Shoebox downloads is what was reviewed, and the hub's listing of that commit
 * gives each file's size and hash. The commits below were found in public references to these
 * repositories (Hugging Face cache snapshot paths and `resolve/<commit>` or `blob/<commit>` URLs in
 * code and papers that pin them), not read from the hub itself, which the machines Shoebox is built
 * on cannot reach: the download checks each commit's listing for the files its layout needs and
 * refuses one that lacks them. A source whose commit could not be found has `revision: null` and says
 * why; it cannot be downloaded until someone pins one.
 */
import type { HubLayout } from './hub/hub-files';

/** One repository on the Hugging Face hub that publishes a catalog model ([Note: Pinned hub revisions]). */
export interface HubSource {
  /** `owner/name`, the authors' own repository. */
  repo: string;
  /** The pinned commit (40 hex), or null when none could be verified (see `unpinned`). */
  revision: string | null;
  /** Why `revision` is null, for the error a download gives. */
  unpinned?: string;
  /** How the repository lays out its files (main/models/hub/hub-files.ts). */
  layout: HubLayout;
  /** For layouts with variants: each variant's graph file in the repository. */
  variantFiles?: Readonly<Record<string, string>>;
}

/** A model Shoebox can offer before it is installed. */
export interface CatalogEntry {
  id: string;
  name: string;
  /** `internvl` (role `vlm`) or `text-embedder` (role `text-embedder`; BUNDLE-SPEC.md "Text-embedder bundles"). */
  family: 'internvl' | 'text-embedder';
  /** Checkpoint the bundle is exported from. */
  source: string;
  /** One line for the Models page. */
  description: string;
  /** Variants a full bundle carries (suffixes per BUNDLE-SPEC: fp32 '', fp16 _fp16, int8 _int8, q4 _q4). */
  variants: string[];
  /**
   * Approximate download size in bytes of each variant's three graphs (derived from the parameter
   * count: 4, 2, ~1.05 and ~0.65 bytes per parameter), plus the tokenizer (~11 MB). The manifest's
   * exact sizes replace these once it is fetched.
   */
  approxBytes: Record<string, number>;
  /**
   * Where the authors publish it on the Hugging Face hub, preferred first: the original layout and,
   * where the authors also publish one, the transformers-native `-hf` layout of the same weights.
   */
  hub?: readonly HubSource[];
  /**
   * Text embedders only: how vectors are made, as the authors' files say (the downloaded bundle's
   * manifest is built from those files; these values let a check compare), and the files with the size
   * and sha256 recorded for the pinned revision ([Note: granite-embedding-97m-multilingual-r2]).
   */
  textEmbedder?: {
    dim: number;
    pooling: 'cls' | 'mean';
    normalize: boolean;
    prefixes: { query: string; passage: string };
    files: readonly { path: string; bytes: number; sha256: string }[];
  };
}

const TOKENIZER_BYTES = 11_400_000;
/** Bytes per parameter of each variant (derived; q4 keeps embeddings at 8 bits, hence above 0.5). */
const BYTES_PER_PARAM: Record<string, number> = { fp32: 4, fp16: 2, int8: 1.05, q4: 0.65 };

function sizes(params: number): Record<string, number> {
  return Object.fromEntries(Object.entries(BYTES_PER_PARAM).map(([v, b]) => [v, Math.round(params * b) + TOKENIZER_BYTES]));
}

/** The models Shoebox offers, smallest first. Parameter counts from the design notes, internvl.md §1. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'internvl3-1b',
    name: 'InternVL3-1B',
    family: 'internvl',
    source: 'OpenGVLab/InternVL3-1B',
    description: 'InternViT-300M + Qwen2.5-0.5B (0.94B parameters). The default: fast enough for CPU tagging.',
    variants: ['fp32', 'fp16', 'int8', 'q4'],
    approxBytes: sizes(0.938e9),
    hub: [
      // 4415a3b: refs/main in public HF cache listings (model.safetensors 1,876,463,472 bytes); 014c058: the -hf repo's refs/main there.
      { repo: 'OpenGVLab/InternVL3-1B', revision: '4415a3b810e636d11dfa86b0e9ba40bb00535aa8', layout: 'internvl-chat' },
      { repo: 'OpenGVLab/InternVL3-1B-hf', revision: '014c0583a0d4bedf29fbe2dbff4f865eb998e171', layout: 'internvl-hf' },
    ],
  },
  {
    id: 'internvl2_5-1b',
    name: 'InternVL2.5-1B',
    family: 'internvl',
    source: 'OpenGVLab/InternVL2_5-1B',
    description: 'InternViT-300M + Qwen2.5-0.5B-Instruct (0.94B parameters), the previous generation.',
    variants: ['fp32', 'fp16', 'int8', 'q4'],
    approxBytes: sizes(0.938e9),
    // 9d423ea: resolve/<commit> URLs that pin the whole repository. No -hf layout of InternVL2.5-1B by OpenGVLab was found.
    hub: [{ repo: 'OpenGVLab/InternVL2_5-1B', revision: '9d423ea1ae9f893897ee3f7493141073f5afcf22', layout: 'internvl-chat' }],
  },
  {
    id: 'internvl3-2b',
    name: 'InternVL3-2B',
    family: 'internvl',
    source: 'OpenGVLab/InternVL3-2B',
    description: 'InternViT-300M + Qwen2.5-1.5B (2.09B parameters). Better captions and OCR; wants a GPU.',
    variants: ['fp32', 'fp16', 'int8', 'q4'],
    approxBytes: sizes(2.09e9),
    hub: [
      // 8991550: the base revision pinned by ByteDance's Sa2VA-InternVL3-2B work; cb57a07: HF cache snapshots of the -hf repo.
      { repo: 'OpenGVLab/InternVL3-2B', revision: '899155015275a9b7338c7f4677e19c784e0e5a21', layout: 'internvl-chat' },
      { repo: 'OpenGVLab/InternVL3-2B-hf', revision: 'cb57a075cb75a2e6d1b668b128d48bb00ae321d2', layout: 'internvl-hf' },
    ],
  },
];

/** Bytes of granite-embedding-97m-multilingual-r2's tokenizer.json (180K-token byte-level BPE). */
const GRANITE_R2_TOKENIZER_BYTES = 25_301_672;

/**
 * The text embedders Shoebox offers, best first (search's dense half; issue 9). Kept apart from
 * {@link CATALOG}, the vision-language models the Models page lists and activates.
 *
 * [Note: granite-embedding-97m-multilingual-r2] What was verified of this model, and where from, is in
 * native/export/EMBEDDER.md. Revision 835ad140… is the commit four unrelated public projects pin
 * (resolve/<commit> URLs, a GGUF's general.name); no source here could read the hub itself. The same
 * projects record `onnx/model_quint8_avx2.onnx` as 98,247,878 bytes, sha256 a6022dd8…, `onnx/model.onnx`
 * (fp32, weights inline) 390,004,608 bytes, sha256 68e592b1…, `tokenizer.json` 25,301,672 bytes, sha256
 * 4f2842d5…; the hub's listing of the pinned commit stays the authority for sizes and hashes. The
 * graphs take input_ids and attention_mask and return last_hidden_state [batch, sequence, 384]; CLS
 * pooling, L2 normalisation, no query/passage prefixes. `int8` is the authors' uint8-weight AVX2 build.
 */
export const TEXT_EMBEDDERS: readonly CatalogEntry[] = [
  {
    id: 'granite-embedding-97m-multilingual-r2',
    name: 'Granite Embedding 97M Multilingual R2',
    family: 'text-embedder',
    source: 'ibm-granite/granite-embedding-97m-multilingual-r2',
    description: 'IBM ModernBERT text embedder (97M parameters, 384-d, 200+ languages, Apache-2.0) for meaning-based search.',
    variants: ['int8', 'fp32'],
    approxBytes: { int8: 98_247_878 + GRANITE_R2_TOKENIZER_BYTES, fp32: 390_004_608 + GRANITE_R2_TOKENIZER_BYTES },
    hub: [
      {
        repo: 'ibm-granite/granite-embedding-97m-multilingual-r2',
        revision: '835ad14087e140460703cf0fae09f97d469d65c2',
        layout: 'onnx-embedder',
        variantFiles: { int8: 'onnx/model_quint8_avx2.onnx', fp32: 'onnx/model.onnx' },
      },
    ],
    textEmbedder: {
      dim: 384,
      pooling: 'cls',
      normalize: true,
      prefixes: { query: '', passage: '' },
      files: [
        {
          path: 'onnx/model_quint8_avx2.onnx',
          bytes: 98_247_878,
          sha256: 'a6022dd8220ea6f6595562a1328ee216f4a94faa55362f2f4747c80f1e78772e',
        },
        { path: 'onnx/model.onnx', bytes: 390_004_608, sha256: '68e592b160673d30250824c1116bc6ab33f70efb22b97c9e1d7ce1e69c1c9d70' },
        {
          path: 'tokenizer.json',
          bytes: GRANITE_R2_TOKENIZER_BYTES,
          sha256: '4f2842d568e2724370aec203652a42ac783c7937f8347a1a2cc7506d71f1582f',
        },
      ],
    },
  },
];

/** The catalog entry for `id`, if Shoebox knows it. */
export function catalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
}

/** The text-embedder entry for `id`, if Shoebox knows it. */
export function textEmbedderEntry(id: string): CatalogEntry | undefined {
  return TEXT_EMBEDDERS.find((e) => e.id === id);
}

/** The first hub source of `entry` that can be downloaded (pinned), or null; `why` says why none can. */
export function pinnedHubSource(entry: CatalogEntry): { source: HubSource & { revision: string } } | { source: null; why: string | null } {
  const sources = entry.hub ?? [];
  for (const s of sources) if (s.revision !== null) return { source: { ...s, revision: s.revision } };
  return {
    source: null,
    why: sources.length === 0 ? null : sources.map((s) => `${s.repo}: ${s.unpinned ?? 'no pinned revision'}`).join('; '),
  };
}

/** Approximate size of a whole bundle (every variant), for listing before the manifest is known. */
export function approxBundleBytes(entry: CatalogEntry): number {
  const graphs = Object.values(entry.approxBytes).reduce((a, b) => a + b - TOKENIZER_BYTES, 0);
  return graphs + TOKENIZER_BYTES;
}

/**
 * Checks and normalises a base URL: http(s) only, no query or fragment, no trailing slash.
 * Throws an Error that says what is wrong.
 */
export function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`model base URL ${JSON.stringify(raw)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`model base URL must be http:// or https://, got ${url.protocol}`);
  }
  if (url.search || url.hash) throw new Error('model base URL must not have a query string or fragment');
  return url.href.replace(/\/+$/, '');
}

/** URL of one file of bundle `id` under `baseUrl` (already normalised); each path segment is escaped. */
export function bundleFileUrl(baseUrl: string, id: string, relPath: string): string {
  const segments = [id, ...relPath.split('/')].map((s) => encodeURIComponent(s));
  return `${baseUrl}/${segments.join('/')}`;
}
