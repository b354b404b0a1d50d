/**
 * @file A loaded text-embedder bundle (role `text-embedder`): its one encoder session, its tokenizer, and
 * the tensor plumbing from token ids to pooled, normalised vectors.
 *
 * Runs in the inference worker. The request pipeline (batching, pooling, cancel) is
 * `native/pipelines/embed.ts`; bundle format and graph I/O follow `native/export/BUNDLE-SPEC.md`
 * ("Text-embedder bundles"), which matches the ONNX files the model's authors publish (EMBEDDER.md), so
 * a downloaded granite-embedding bundle loads through this same code.
 */
import {
  checkEmbedderGraph,
  loadEmbedderBundle,
  type EmbedderBundle,
  type EmbedderInput,
  type EmbedderManifest,
} from '../bundle/embedder-manifest';
import { BundleError } from '../bundle/manifest';
import { WorkerError, type LoadResult, type ProviderChoice } from '../protocol';
import { BundleTokenizer } from '../preprocess/tokenizer';
import { providersFromEnv } from './execution-providers';
import { pickVariant, type RoleLoadOptions, type RoleModel } from './registry';
import { createSession, int64Tensor, type CreatedSession, type ort } from './sessions';

/** Which text a vector is for: search queries and stored passages may get different prefixes. */
export type EmbedKind = 'query' | 'passage';

const invalid = (e: unknown) => new WorkerError('model_invalid', e instanceof Error ? e.message : String(e));

/** A loaded text embedder. */
export class TextEmbedderModel implements RoleModel {
  private constructor(
    readonly bundle: EmbedderBundle,
    readonly tokenizer: BundleTokenizer,
    readonly variant: string,
    private readonly session: ort.InferenceSession,
    private readonly inputs: readonly EmbedderInput[],
    readonly provider: ProviderChoice,
    readonly loadMs: number,
  ) {}

  /** Loads and checks a bundle, then creates its session. Bundle problems are `model_invalid` errors. */
  static async load(dir: string, options: RoleLoadOptions = {}): Promise<TextEmbedderModel> {
    const t0 = performance.now();
    const bundle = await loadEmbedderBundle(dir, { verifySha256: options.verifySha256 ?? false }).catch((e: unknown) => {
      throw invalid(e);
    });
    const { variant, files: file } = pickVariant(bundle.manifest.id, bundle.variants, options.variant);
    let inputs: EmbedderInput[];
    let tokenizer: BundleTokenizer;
    try {
      inputs = checkEmbedderGraph(file, bundle.manifest);
      tokenizer = await BundleTokenizer.fromFile(bundle.tokenizerPath);
      checkWrapping(tokenizer, bundle.manifest);
    } catch (e) {
      throw invalid(e);
    }
    let created: CreatedSession;
    try {
      created = await createSession(file, options.executionProviders ?? providersFromEnv());
    } catch (e) {
      const msg = (e as Error).message;
      throw new WorkerError(/bad_alloc|out of memory/i.test(msg) ? 'out_of_memory' : 'model_invalid', msg);
    }
    return new TextEmbedderModel(bundle, tokenizer, variant, created.session, inputs, created.choice, performance.now() - t0);
  }

  get manifest(): EmbedderManifest {
    return this.bundle.manifest;
  }

  /** Summary for the protocol's `load` / `info` results (the registry adds the role). */
  describe(): Omit<LoadResult, 'role'> {
    return {
      id: this.manifest.id,
      name: this.manifest.name,
      variant: this.variant,
      randomWeights: this.manifest.random_weights,
      providers: { model: this.provider },
      loadMs: Math.round(this.loadMs),
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  /**
   * Model input of one text: the kind's prefix, the tokenizer, the content cut to `max_length - 2`
   * tokens (the end goes), wrapped in [CLS] … [SEP].
   */
  encode(text: string, kind: EmbedKind): number[] {
    const { embedding, tokens } = this.manifest;
    const ids = this.tokenizer.encode(embedding.prefixes[kind] + text);
    return [tokens.cls, ...ids.slice(0, embedding.max_length - 2), tokens.sep];
  }

  /**
   * Runs token-id rows as one right-padded batch (pad ids masked out) and returns the encoder's hidden
   * states [B, S, dim], S being the longest row.
   */
  async runBatch(rows: readonly (readonly number[])[]): Promise<{ hidden: Float32Array; dims: [number, number, number] }> {
    const B = rows.length;
    const S = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(B * S).fill(BigInt(this.manifest.tokens.pad));
    const mask = new BigInt64Array(B * S);
    rows.forEach((r, b) =>
      r.forEach((id, s) => {
        ids[b * S + s] = BigInt(id);
        mask[b * S + s] = 1n;
      }),
    );
    const all: Record<EmbedderInput, () => ort.Tensor> = {
      input_ids: () => int64Tensor(ids, [B, S]),
      attention_mask: () => int64Tensor(mask, [B, S]),
      token_type_ids: () => int64Tensor(new BigInt64Array(B * S), [B, S]),
    };
    const feeds = Object.fromEntries(this.inputs.map((n) => [n, all[n]()]));
    let res: ort.InferenceSession.OnnxValueMapType;
    try {
      res = await this.session.run(feeds);
    } catch (e) {
      const msg = (e as Error).message;
      throw new WorkerError(/bad_alloc|allocate/i.test(msg) ? 'out_of_memory' : 'internal', `text encoder failed: ${msg}`);
    }
    const out = res[this.manifest.graph.output];
    const D = this.manifest.embedding.dim;
    if (out === undefined || out.dims.length !== 3 || out.dims[0] !== B || out.dims[1] !== S || out.dims[2] !== D) {
      throw new WorkerError(
        'model_invalid',
        `text encoder returned ${out === undefined ? 'no output' : `[${out.dims.join(',')}]`}, expected [${B},${S},${D}]`,
      );
    }
    return { hidden: out.data as Float32Array, dims: [B, S, D] };
  }
}

/**
 * When tokenizer.json has a post-processor, it must wrap a text exactly as the manifest's cls/sep do (a
 * catalog entry with the wrong ids would otherwise embed every text with the wrong special tokens).
 */
function checkWrapping(tok: BundleTokenizer, m: EmbedderManifest): void {
  const plain = tok.encode('a');
  const wrapped = tok.encode('a', true);
  if (wrapped.length === plain.length) return;
  const want = [m.tokens.cls, ...plain, m.tokens.sep];
  if (wrapped.join(',') !== want.join(',')) {
    throw new BundleError(
      `tokenizer.json wraps a text as [${wrapped.join(', ')}], the manifest's tokens (cls ${m.tokens.cls}, sep ${m.tokens.sep}) give [${want.join(', ')}]`,
    );
  }
}
