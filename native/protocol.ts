/**
 * @file The typed message protocol between main and the inference worker.
 *
 * Runs on both sides: main (`main/inference/worker-client.ts`) sends {@link WorkerRequest}s and
 * {@link CancelMessage}s; the worker (`native/worker.ts`) answers with exactly one
 * {@link ResultMessage} or {@link ErrorMessage} per request id, and zero or more
 * {@link StreamMessage}s before it for streaming methods. The same messages travel over Electron's
 * utilityProcess `parentPort` and over Node's `child_process` IPC channel, so they stay plain
 * structured-clone/JSON data (no typed arrays; pixel data is written to files, not sent).
 *
 * [Note: Worker protocol]
 * - Every request carries a client-chosen `id`; responses echo it.
 * - `cancel` names a request id; the worker stops at the next token (or before the next session
 *   run) and answers that request with the error code `cancelled`.
 * - Errors carry a stable `code` from {@link ErrorCode} so main can decide between retry
 *   (`worker_crashed` for idempotent methods) and failing the job (`bad_input`, `model_invalid`…).
 * - The worker announces itself with a `ready` message once it can take requests.
 * - It also sends unrequested `memory` messages ({@link MemoryMessage}, [Note: Worker memory reports]).
 *
 * [Note: Worker lanes] Every request has a {@link Priority}; without one it is `interactive`. The
 * worker keeps two FIFO lanes and always starts the oldest interactive request before any background
 * one (`native/runtime/scheduler.ts`). A running request is never pre-empted; a long background method
 * calls its `checkpoint` between phases (image encoded, prefix prefilled, one photo done), which runs
 * the interactive requests waiting at that moment, so a user's Describe or chat starts within one
 * phase of background work. Requests that swap models (`load`, `unload`) never run at a checkpoint:
 * they would change the model under the paused request. `embed` picks its lane from its `kind` when
 * the request names none ([Note: Embedding lanes] in native/pipelines/embed.ts). Main keeps no queue of its own
 * (`main/inference/worker-client.ts` sends every request at once), so the lanes hold end to end.
 */

/** Which lane a request waits in; see [Note: Worker lanes]. */
export type Priority = 'interactive' | 'background';

/** What a loaded model is for; the worker keeps at most one model per role. */
export type ModelRole = 'vlm' | 'text-embedder';

/** Every role, in the order `info` reports them. */
export const MODEL_ROLES: readonly ModelRole[] = ['vlm', 'text-embedder'];

/** Sampling settings; every field optional. With `temperature` 0 (default) decoding is greedy. */
export interface SamplingParams {
  /** Max tokens to generate (default 64, capped by the context). */
  maxNewTokens?: number;
  /** EOS is suppressed until this many tokens were generated (default 0; benchmarks use it). */
  minNewTokens?: number;
  /** 0 = greedy (default). */
  temperature?: number;
  /** Nucleus sampling threshold in (0, 1]; 1 = off. */
  topP?: number;
  /** Keep only the k most likely tokens; 0 = off. */
  topK?: number;
  /** CTRL-style repetition penalty (> 1 discourages repeats); 1 = off. */
  repetitionPenalty?: number;
  /** Seed for the sampler's PRNG (reproducible sampling). */
  seed?: number;
}

/** Image input: a path the worker reads (never writes) plus its tiling limit. */
export interface ImageInput {
  path: string;
  /** Max tiles for dynamic tiling (default: the bundle's `image.max_tiles` on a GPU, 1 on CPU). */
  maxTiles?: number;
}

/**
 * A saved conversation sent with each chat turn (`native/preprocess/chat-prompt.ts`, [Note: Chat
 * history and the cache]): the worker reuses its cache when the cache holds exactly this, else it
 * rebuilds the prompt from it, dropping the oldest turns that do not fit `contextTokens`.
 */
export interface ChatHistory {
  /** The conversation's images, in its first user message (`Image-1: <image>` … for several). */
  images: ImageInput[];
  /** Text after the images in the first user message (main puts the file names there). */
  preamble?: string;
  /** Earlier turns, oldest first: only those the model should remember. */
  turns: ChatHistoryTurn[];
  /** The most tokens prompt + answer may take (default and at most the model's context window). */
  contextTokens?: number;
}

/** One earlier question and its answer. */
export interface ChatHistoryTurn {
  question: string;
  answer: string;
  /** The answer's generated ids when this model made them (exact replay); else `answer` is tokenised. */
  answerIds?: number[];
}

/** Result of one chat turn. */
export interface ChatTurnResult extends GenerationResult {
  turn: number;
  /** Tokens of the cache this turn continued from (0 when the prompt was built from scratch). */
  reusedTokens: number;
  /** History turns (oldest first) left out of the prompt by the context budget. */
  droppedTurns: number;
  /** Tokens in the conversation's cache after this turn, and the budget they count against. */
  contextTokens: number;
  contextWindow: number;
}

/** Parameters and results of every method, keyed by method name. */
export interface MethodMap {
  /** Report the worker's environment: CPU, execution providers, threads, loaded models. */
  info: { params: Record<string, never>; result: WorkerInfo };
  /** Load (or replace) the model bundle of a role (default `vlm`). */
  load: {
    params: { dir: string; role?: ModelRole; variant?: string; verifySha256?: boolean; executionProviders?: string[] };
    result: LoadResult;
  };
  /** Unload the model of a role (default `vlm`) and free its sessions. */
  unload: { params: { role?: ModelRole }; result: { unloaded: boolean } };
  /** Caption one image; streams text chunks. */
  caption: {
    params: { image: ImageInput; prompt?: string; sampling?: SamplingParams };
    result: GenerationResult;
  };
  /** One turn of a multi-turn chat about zero or more images; streams text chunks. */
  chat: {
    params: {
      /** Session id; a new id starts a new conversation, the same id continues it (KV cache kept). */
      sessionId: string;
      message: string;
      /** Images for this turn (placed before the message); not with `history`, which carries its own. */
      images?: ImageInput[];
      sampling?: SamplingParams;
      /** The conversation so far as main saved it; see [Note: Chat history and the cache]. */
      history?: ChatHistory;
    };
    result: ChatTurnResult;
  };
  /** Forget a chat session and its KV cache. */
  chatEnd: { params: { sessionId: string }; result: { ended: boolean } };
  /** Zero-shot classification: mean log-likelihood of each label after one image prefix. */
  classify: {
    params: { image: ImageInput; labels: string[]; prompt?: string; batchSize?: number };
    result: { scores: LabelScore[] };
  };
  /**
   * Understand a batch of photos: each image encoded once, then caption, zero-shot tags and text in
   * the image from the shared prefix (`native/pipelines/understand.ts`). Per-photo failures are in
   * the result; bad params fail the request with `bad_input`. Main sends it in the background lane.
   */
  understand: { params: UnderstandRequest; result: UnderstandResponse };
  /** Debug: run preprocessing and write the pixel values as a float32 .npy file. */
  preprocess: {
    params: { image: ImageInput; outFile: string };
    result: { grid: { cols: number; rows: number }; numTiles: number; shape: number[]; width: number; height: number };
  };
  /** Debug: tokenize text with the loaded (or given) bundle's tokenizer. */
  tokens: { params: { text: string; dir?: string }; result: { ids: number[]; tokens: string[] } };
  /**
   * Embed texts with the `text-embedder` model (`native/pipelines/embed.ts`): at most 256 texts of at
   * most 8,000 characters each. Without a priority a `query` waits in the interactive lane and a
   * `passage` batch in the background lane ([Note: Embedding lanes] in that file).
   */
  embed: { params: EmbedRequest; result: EmbedResponse };
  /**
   * The first-logits cosine of each variant of the bundle in `dir` to its fp32, on `image` (one tile)
   * and a fixed question, on the CPU provider: the build's accuracy check (native/pipelines/variant-accuracy.ts).
   * Loads its own sessions, one variant at a time; the loaded models are untouched.
   */
  variantAccuracy: {
    params: { dir: string; variants: string[]; image: string };
    result: { cosine: Record<string, number>; prompt: string };
  };
  /** Test hook: crash the worker process (only honoured when SHOEBOX_WORKER_TEST_HOOKS=1). */
  crash: { params: Record<string, never>; result: never };
}

/** Names of the worker's methods. */
export type Method = keyof MethodMap;
/** Params of a method. */
export type ParamsOf<M extends Method> = MethodMap[M]['params'];
/** Result of a method. */
export type ResultOf<M extends Method> = MethodMap[M]['result'];

/** Methods whose request can be retried once after a worker crash without changing meaning. */
export const IDEMPOTENT_METHODS: ReadonlySet<Method> = new Set<Method>([
  'info',
  'load',
  'unload',
  'caption',
  'classify',
  'understand',
  'preprocess',
  'tokens',
  'embed',
  'variantAccuracy',
]);

/** Methods that produce stream chunks. */
export const STREAMING_METHODS: ReadonlySet<Method> = new Set<Method>(['caption', 'chat']);

/** Stable error codes. */
export type ErrorCode =
  | 'bad_request' // unknown method, malformed params
  | 'bad_input' // image that fails to decode, prompt too long, too many tiles, empty labels…
  | 'model_not_loaded'
  | 'model_invalid' // missing/corrupt files, manifest disagrees with graphs
  | 'out_of_memory'
  | 'cancelled'
  | 'timeout' // set by the client
  | 'worker_crashed' // set by the client
  | 'internal';

/** main → worker: run a method. */
export interface RequestMessage<M extends Method = Method> {
  type: 'request';
  id: number;
  method: M;
  params: ParamsOf<M>;
  /** Lane to wait in (default `interactive`); see [Note: Worker lanes]. */
  priority?: Priority;
}
/** main → worker: cancel a running or queued request. */
export interface CancelMessage {
  type: 'cancel';
  id: number;
}
/** worker → main: final result. */
export interface ResultMessage<M extends Method = Method> {
  type: 'result';
  id: number;
  result: ResultOf<M>;
}
/** worker → main: final error. */
export interface ErrorMessage {
  type: 'error';
  id: number;
  error: { code: ErrorCode; message: string };
}
/** worker → main: one chunk of a streaming response. */
export interface StreamMessage {
  type: 'stream';
  id: number;
  chunk: StreamChunk;
}
/** worker → main: sent once after start-up. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

/**
 * worker → main: the worker's memory with a model loaded ([Note: Worker memory reports]).
 *
 * [Note: Worker memory reports] What a variant costs in memory is measured, not guessed (the Models
 * page, main/models/variant-costs.ts): the worker reports its resident set size after it loads a model
 * (`after: 'load'`), and after a request that ran it (`after: 'run'`, once activations are allocated):
 * the first run after each load, then whenever the figure grew by 5% or more (more tiles, a longer
 * chat). It is the whole worker process's memory — onnxruntime's arena keeps what a run allocated, so
 * the figure after a run includes it; the other role's model (the small text embedder), when loaded,
 * counts too. `peakRssBytes` is the process's peak (getrusage maxRSS), sent only while it can belong to
 * this model alone: no other model of this role, and no accuracy check (which loads every variant), has
 * been loaded in this process. Sent just before the request's result, so main has it when the result
 * arrives. Main records it per model and variant (main/inference/variant-memory.ts).
 */
export interface MemoryMessage {
  type: 'memory';
  role: ModelRole;
  model: { id: string; variant: string };
  after: 'load' | 'run';
  rssBytes: number;
  peakRssBytes: number | null;
}

/** Messages main sends. */
export type WorkerRequest = RequestMessage | CancelMessage;
/** Messages the worker sends. */
export type WorkerResponse = ResultMessage | ErrorMessage | StreamMessage | ReadyMessage | MemoryMessage;

/** A streamed piece of generated output. */
export interface StreamChunk {
  /** Newly decoded text (may be empty while a multi-byte character is incomplete). */
  text: string;
  /** Token ids generated in this step. */
  tokenIds: number[];
}

/** Result of a generation. */
export interface GenerationResult {
  text: string;
  tokenIds: number[];
  finishReason: 'stop' | 'length';
  promptTokens: number;
  numTiles: number;
  timings: { preprocessMs: number; visionMs: number; prefillMs: number; decodeMs: number };
}

// [Note: Understanding questions] The questions `understand` asks and its answer lengths live here, in
// the protocol, because two transports ask them: the worker (native/pipelines/understand.ts) and a
// remote OpenAI-compatible server (main/remote/remote-understand.ts). One copy keeps the stored record
// the same whichever made it. [Note: Short questions] in understand.ts says why they are short.
/** Caption question: one sentence, no preamble. */
export const DEFAULT_UNDERSTAND_CAPTION_PROMPT = 'Describe this photo in one sentence, without "The image shows".';
/** Question the labels answer. */
export const DEFAULT_TAG_PROMPT = 'What is this photo of? Answer in a word or two.';
/** Transcription question. */
export const DEFAULT_OCR_PROMPT = 'Transcribe the text in this image exactly, line by line.';
export const DEFAULT_CAPTION_TOKENS = 30;
export const DEFAULT_OCR_TOKENS = 128;
export const DEFAULT_TAG_TOP_K = 10;

// "The image shows", "This photo depicts", "In this picture, there is", "This is an image of"…
const CAPTION_PREAMBLES = [
  /^(?:the|this)\s+(?:image|photo|photograph|picture|scene|shot)\s+(?:shows|depicts|features|captures|contains|displays|presents|illustrates|is\s+of)\s*:?\s*/i,
  /^in\s+(?:the|this)\s+(?:image|photo|photograph|picture|scene)\s*,?\s*(?:we\s+(?:can\s+)?see|there\s+(?:is|are))?\s*:?\s*/i,
  /^(?:this|it)\s+is\s+(?:a|an)\s+(?:image|photo|photograph|picture|shot)\s+(?:of|showing|depicting)\s*/i,
];

/** Removes a leading "The image shows…" from a caption and capitalises what follows ([Note: Understanding questions]). */
export function stripCaptionPreamble(text: string): string {
  let t = text.trim();
  for (const re of CAPTION_PREAMBLES) {
    const m = re.exec(t);
    if (m !== null && m[0].length > 0 && m[0].length < t.length) {
      t = t.slice(m[0].length).trimStart();
      return t.charAt(0).toUpperCase() + t.slice(1);
    }
  }
  return t;
}

/** Params of `understand`; every field but `images` optional (the worker's defaults rule). */
export interface UnderstandRequest {
  images: ImageInput[];
  /** Caption settings; `false` skips the caption. */
  caption?: { prompt?: string; maxNewTokens?: number; sampling?: SamplingParams } | false;
  /** Zero-shot tags over these labels; absent: no tags. */
  tags?: {
    labels: string[];
    prompt?: string;
    /** Per-label offsets, or 'content-free' to score the labels on a gray tile once and subtract that. */
    offsets?: number[] | 'content-free';
    /** Calibrated score a tag needs (default 0). */
    threshold?: number;
    topK?: number;
    /** Labels that mean "this photo has text": they trigger the transcription in 'auto' mode. */
    textLabels?: string[];
  };
  ocr?: { mode?: 'auto' | 'always' | 'never'; prompt?: string; maxNewTokens?: number };
  maxRowsPerRun?: number;
}

/** Params of `embed`. */
export interface EmbedRequest {
  texts: string[];
  /** `query`: a search query; `passage`: text stored for search (caption, tags, text in a photo). */
  kind: 'query' | 'passage';
}

/** Result of `embed`: one vector per text, in request order, from the model `modelId` (re-check it before storing). */
export interface EmbedResponse {
  modelId: string;
  dim: number;
  /** Unit length when the bundle normalises (every bundle Shoebox ships), so a dot product is the cosine. */
  vectors: number[][];
}

/** A generated answer of `understand`: 'length' = it hit the token limit (runaway), 'empty' = nothing usable. */
export interface UnderstandAnswer {
  text: string;
  tokenIds: number[];
  finish: 'stop' | 'length' | 'empty';
}

/** A label's tag score: raw mean log-prob, the content-free offset, and calibrated = raw − offset. */
export interface TagScoreDto {
  label: string;
  sumLogProb: number;
  meanLogProb: number;
  numTokens: number;
  offset: number;
  calibrated: number;
}

/** One photo's outcome of `understand`, in request order. */
export type UnderstandPhotoResult =
  | {
      path: string;
      ok: true;
      numTiles: number;
      caption: UnderstandAnswer | null;
      /** Tags that passed the threshold, best first. */
      tags: TagScoreDto[];
      /** Every label's scores, in label order. */
      scores: TagScoreDto[];
      text: UnderstandAnswer | null;
      /** Why the transcription ran: 'asked', or the text label that triggered it. */
      textReason: string | null;
    }
  | { path: string; ok: false; error: { code: ErrorCode; message: string } };

/** Result of `understand`, with the model that made it (main re-checks it before writing). */
export interface UnderstandResponse {
  photos: UnderstandPhotoResult[];
  calibrated: boolean;
  model: { id: string; variant: string };
  timings: { preprocessMs: number; visionMs: number; prefillMs: number; tagsMs: number; captionMs: number; ocrMs: number };
  stats: { photos: number; labelPositions: number; labelRuns: number };
}

/** Score of one label in zero-shot classification. */
export interface LabelScore {
  label: string;
  /** Mean log-probability per label token. */
  meanLogProb: number;
  /** Sum of log-probabilities. */
  sumLogProb: number;
  numTokens: number;
}

/** Which execution provider was chosen, and why the ones before it were not. */
export interface ProviderChoice {
  chosen: string;
  tried: { name: string; ok: boolean; reason: string }[];
}

/** Result of `load`, and one loaded model in `info`. */
export interface LoadResult {
  role: ModelRole;
  id: string;
  name: string;
  variant: string;
  randomWeights: boolean;
  providers: Record<string, ProviderChoice>;
  loadMs: number;
  /** Where the decoder's KV cache lives between runs, and why ([Note: KV cache on the device]). */
  kvCache?: { location: 'host' | 'device'; reason: string };
}

/** An execution provider onnxruntime-node knows on this platform, and whether the worker can use it. */
export interface ProviderStatus {
  name: string;
  available: boolean;
  /** Why it is or is not usable (a missing install, the wrong platform…), in words for the user. */
  reason: string;
}

/** Result of `info`. */
export interface WorkerInfo {
  pid: number;
  platform: string;
  arch: string;
  /**
   * The architecture, then the ISA features ORT's CPU kernels depend on (`avx2`, `avx512_vnni`…), and
   * the int8 kernel family they select: int8 runs about 3x faster with VNNI than with AVX2 only.
   */
  cpu: { features: string[]; int8Kernels: 'vnni' | 'avx2' | 'other' };
  threads: { intraOp: number; interOp: number };
  /** Every provider onnxruntime-node lists, with why each is or is not used. */
  providers: ProviderStatus[];
  /** The `vlm` model (kept for callers that know one model only). */
  model: LoadResult | null;
  /** Every loaded model, one per role. */
  models: LoadResult[];
}

/** Builds an error value that crosses the boundary with a stable code. */
export class WorkerError extends Error {
  /** Stable error code. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'WorkerError';
    this.code = code;
  }
}

/** Type guard for messages arriving at the worker. */
export function isWorkerRequest(msg: unknown): msg is WorkerRequest {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as { type?: unknown; id?: unknown; method?: unknown };
  if (typeof m.id !== 'number') return false;
  if (m.type === 'cancel') return true;
  return m.type === 'request' && typeof m.method === 'string';
}

/** Type guard for messages arriving at main. */
export function isWorkerResponse(msg: unknown): msg is WorkerResponse {
  if (typeof msg !== 'object' || msg === null) return false;
  const t = (msg as { type?: unknown }).type;
  return t === 'result' || t === 'error' || t === 'stream' || t === 'ready' || t === 'memory';
}
