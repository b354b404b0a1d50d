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
 * points Shoebox at a mirror made with native/export/ or imports a local bundle folder.
 */

/** A model Shoebox can offer before it is installed. */
export interface CatalogEntry {
  id: string;
  name: string;
  family: 'internvl';
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
  },
  {
    id: 'internvl2_5-1b',
    name: 'InternVL2.5-1B',
    family: 'internvl',
    source: 'OpenGVLab/InternVL2_5-1B',
    description: 'InternViT-300M + Qwen2.5-0.5B-Instruct (0.94B parameters), the previous generation.',
    variants: ['fp32', 'fp16', 'int8', 'q4'],
    approxBytes: sizes(0.938e9),
  },
  {
    id: 'internvl3-2b',
    name: 'InternVL3-2B',
    family: 'internvl',
    source: 'OpenGVLab/InternVL3-2B',
    description: 'InternViT-300M + Qwen2.5-1.5B (2.09B parameters). Better captions and OCR; wants a GPU.',
    variants: ['fp32', 'fp16', 'int8', 'q4'],
    approxBytes: sizes(2.09e9),
  },
];

/** The catalog entry for `id`, if Shoebox knows it. */
export function catalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
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
