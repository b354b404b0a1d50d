/**
 * @file Adapts the inference service's text-embedder calls to the TextEmbedder port of search
 * (./text-embedder.ts): the worker's JSON vectors (native/protocol.ts `EmbedResponse`) become
 * Float32Arrays once, here, and a response that does not hold one vector of `dim` per text is an error.
 *
 * Runs in main.
 */
import type { EmbedRequest, EmbedResponse } from '../../native/protocol';
import type { EmbedKind, TextEmbedder } from './text-embedder';

/** What the inference service offers for the text embedder. */
export interface EmbedClient {
  /** The active text-embedder bundle's model id, or null. */
  activeEmbedder(): { id: string } | null;
  /** Why there is no usable text embedder, or null. */
  noEmbedderReason(): string | null;
  /** The worker's `embed`, with the model loaded first; `priority` follows `kind` when absent. */
  embed(params: EmbedRequest, opts?: { signal?: AbortSignal | undefined }): Promise<EmbedResponse>;
}

/** The port over an embed client. */
export function textEmbedderFrom(client: EmbedClient): TextEmbedder {
  return {
    active: () => {
      const m = client.activeEmbedder();
      return m ? { modelId: m.id } : null;
    },
    unavailableReason: () => client.noEmbedderReason(),
    async embed(texts: string[], kind: EmbedKind, opts: { signal?: AbortSignal | undefined } = {}) {
      const r = await client.embed({ texts, kind }, opts);
      if (r.vectors.length !== texts.length || r.vectors.some((v) => v.length !== r.dim))
        throw new Error(`the text embedder answered ${r.vectors.length} vectors of ${r.dim} dimensions for ${texts.length} texts`);
      return { modelId: r.modelId, dim: r.dim, vectors: r.vectors.map((v) => Float32Array.from(v)) };
    },
  };
}
