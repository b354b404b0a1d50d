/**
 * @file The port through which search and the embedding step reach the text embedder: which model would
 * embed now, whether it is ready, and the `embed` call itself (the worker's method of the same name,
 * native/protocol.ts). The composition root adapts the inference service to it; tests of ranking give
 * a double that returns vectors they chose.
 *
 * Runs in main. Types only.
 */

/** What the text is: a search query (interactive lane) or a stored description (background lane). */
export type EmbedKind = 'query' | 'passage';

export interface EmbedOutput {
  /** The model that made the vectors: re-checked against the active one before they are stored or compared. */
  modelId: string;
  dim: number;
  /** One L2-normalised vector per text, in order. */
  vectors: Float32Array[];
}

export interface TextEmbedder {
  /** The embedder a request would use now (the active text-embedder bundle), or null when there is none. */
  active(): { modelId: string } | null;
  /** Why there is no usable embedder (shown to the user), or null when there is one. */
  unavailableReason(): string | null;
  /**
   * Embeds `texts`. Worker failures reject (a WorkerClientError carrying the worker's code, for the
   * caller's retry policy); `signal` cancels.
   */
  embed(texts: string[], kind: EmbedKind, opts?: { signal?: AbortSignal | undefined }): Promise<EmbedOutput>;
}
