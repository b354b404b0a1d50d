/**
 * @file Understanding one photo through a remote backend: the photo as a JPEG data URL sized for the
 * model's tiles, the same three questions the worker asks ([Note: Understanding questions] in
 * native/protocol.ts) as chat completions, and their answers turned into the record the local step
 * stores (caption, tags from the taxonomy, text in the image when a text label was chosen).
 *
 * Runs in main: sharp's thread pool resizes, the rest waits on the network. Requests go through a
 * limiter shared by every photo, so at most `inFlight` are at the server at once.
 *
 * [Note: Remote tags] The worker scores every label by its log-likelihood; a server is asked to choose
 * up to ten labels from the taxonomy instead, with a JSON schema (`response_format` json_schema, which
 * vLLM and LMDeploy both accept) so that guided decoding can only produce labels of the list. A server
 * that refuses the schema (400) is asked again without it, and the plain answer is read as a list; an
 * answer that is not the JSON asked for is read the same way. Chosen tags carry no score (null), as the
 * user's own do: nothing pretends to be a log-probability.
 */
import sharp from 'sharp';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import {
  DEFAULT_CAPTION_TOKENS,
  DEFAULT_OCR_PROMPT,
  DEFAULT_OCR_TOKENS,
  DEFAULT_TAG_PROMPT,
  DEFAULT_TAG_TOP_K,
  DEFAULT_UNDERSTAND_CAPTION_PROMPT,
  stripCaptionPreamble,
} from '../../native/protocol';
import { RemoteError, type RemoteClient } from './remote-client';
import type { Limiter } from './limiter';

/** InternVL's tile edge. */
export const TILE = 448;

export type Finish = 'stop' | 'length' | 'empty';

/** One photo's answers, ready to be mapped onto the stored record. */
export interface RemoteAnswers {
  numTiles: number;
  caption: { text: string; finish: Finish };
  /** Labels chosen from the taxonomy, in the server's order. */
  tags: string[];
  /** Whether the tags came through the JSON schema (false: read from a plain answer). */
  structured: boolean;
  text: { text: string; finish: Finish; reason: string } | null;
}

/**
 * InternVL's tile grid for an image ([Note] §2.2 of design/internvl.md, `find_closest_aspect_ratio`):
 * the (cols, rows) with at most `maxTiles` tiles whose aspect is closest to the image's, more tiles on an
 * exact tie while the image covers more than half of that canvas.
 */
export function tileGrid(width: number, height: number, maxTiles: number): { cols: number; rows: number } {
  const ratios: [number, number][] = [];
  for (let n = 1; n <= maxTiles; n++)
    for (let i = 1; i <= n; i++)
      for (let j = 1; j <= n; j++) if (i * j >= 1 && i * j <= maxTiles && !ratios.some(([a, b]) => a === i && b === j)) ratios.push([i, j]);
  ratios.sort((x, y) => x[0] * x[1] - y[0] * y[1]);
  const ar = width / height;
  let best: [number, number] = [1, 1];
  let bestDiff = Infinity;
  for (const [i, j] of ratios) {
    const d = Math.abs(ar - i / j);
    if (d < bestDiff) {
      bestDiff = d;
      best = [i, j];
    } else if (d === bestDiff && width * height > 0.5 * TILE * TILE * i * j) best = [i, j];
  }
  return { cols: best[0], rows: best[1] };
}

/**
 * The photo as a JPEG data URL on InternVL's canvas for its grid (cols·448 × rows·448, oriented by its
 * EXIF), so the server's own tiling picks the same grid; and the tiles the model will see (with the
 * thumbnail InternVL adds to a multi-tile grid).
 */
export async function imageDataUrl(path: string, maxTiles: number): Promise<{ url: string; numTiles: number; bytes: number }> {
  const img = sharp(path, { failOn: 'error' }).rotate();
  const meta = await img.metadata();
  let w = meta.autoOrient?.width ?? meta.width;
  let h = meta.autoOrient?.height ?? meta.height;
  if (!w || !h) throw new RemoteError('bad_request', `${path}: no image size`);
  const { cols, rows } = tileGrid(w, h, maxTiles);
  w = cols * TILE;
  h = rows * TILE;
  const jpeg = await img.resize({ width: w, height: h, fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
  return {
    url: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
    numTiles: cols * rows + (cols * rows > 1 ? 1 : 0),
    bytes: jpeg.length,
  };
}

/** The JSON schema of the tag answer: up to `topK` distinct labels of the list. */
export function tagSchema(labels: readonly string[], topK = DEFAULT_TAG_TOP_K) {
  return {
    type: 'object',
    properties: { tags: { type: 'array', items: { type: 'string', enum: [...labels] }, maxItems: topK, uniqueItems: true } },
    required: ['tags'],
    additionalProperties: false,
  } as const;
}

/** The tag question: the worker's question, then the list to choose from. */
export function tagQuestion(labels: readonly string[], topK = DEFAULT_TAG_TOP_K): string {
  return `${DEFAULT_TAG_PROMPT}\nChoose up to ${topK} labels that fit, only from this list: ${labels.join(', ')}.\nAnswer as JSON: {"tags": [...]}`;
}

/**
 * Reads the labels out of a tag answer ([Note: Remote tags]): the JSON asked for, or else a plain list
 * (commas, lines, bullets, quotes). Only labels of the list count, each once, at most `topK`.
 */
export function parseTagAnswer(text: string, labels: readonly string[], topK = DEFAULT_TAG_TOP_K): { tags: string[]; json: boolean } {
  const byLower = new Map(labels.map((l) => [l.toLowerCase(), l]));
  const pick = (items: unknown[]): string[] => {
    const out: string[] = [];
    for (const it of items) {
      const l = typeof it === 'string' ? byLower.get(it.trim().toLowerCase()) : undefined;
      if (l !== undefined && !out.includes(l)) out.push(l);
      if (out.length >= topK) break;
    }
    return out;
  };
  const body = text.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  try {
    const v: unknown = JSON.parse(body);
    const list = Array.isArray(v)
      ? v
      : v && typeof v === 'object' && Array.isArray((v as { tags?: unknown }).tags)
        ? (v as { tags: unknown[] }).tags
        : null;
    if (list) return { tags: pick(list), json: true };
  } catch {
    // not JSON: a plain list below
  }
  const items = body
    .replace(/[{}[\]]/g, ' ')
    .replace(/"?tags"?\s*:/i, ' ')
    .split(/[,;\n]/)
    .map((s) => s.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').replace(/^["'\s]+|["'.\s]+$/g, ''));
  return { tags: pick(items), json: false };
}

const contentOf = (res: ChatCompletion): { text: string; finish: 'stop' | 'length' } => {
  const c = res.choices[0]!;
  const content = c.message?.content;
  return { text: typeof content === 'string' ? content : '', finish: c.finish_reason === 'length' ? 'length' : 'stop' };
};

/** An answer's text and how it ended: 'empty' when nothing usable was said. */
function answer(res: ChatCompletion, clean: (t: string) => string = (t) => t.trim()): { text: string; finish: Finish } {
  const { text, finish } = contentOf(res);
  const t = clean(text.trim());
  return { text: t, finish: t === '' ? 'empty' : finish };
}

/** What the understander needs to know about its backend beyond the client. */
export interface BackendState {
  /** Whether the server took the tag schema; null until the first tag question. */
  schema: boolean | null;
}

export interface UnderstandOptions {
  client: RemoteClient;
  state: BackendState;
  limiter: Limiter;
  labels: readonly string[];
  textLabels: readonly string[];
  maxTiles: number;
  signal?: AbortSignal | undefined;
}

type Body = Omit<ChatCompletionCreateParamsNonStreaming, 'model'>;

/** One user turn: the image, then the question (InternVL's order: `<image>\n` before the text). */
function ask(url: string, question: string, maxTokens: number, extra: Partial<Body> = {}): Body {
  return {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url } },
          { type: 'text', text: question },
        ],
      },
    ],
    max_tokens: maxTokens,
    temperature: 0,
    ...extra,
  };
}

/** Understands one photo through the backend; throws {@link RemoteError} ([Note: Remote failures]). */
export async function understandRemote(path: string, o: UnderstandOptions): Promise<RemoteAnswers> {
  const { client, limiter, signal } = o;
  let image;
  try {
    image = await imageDataUrl(path, o.maxTiles);
  } catch (err) {
    if (err instanceof RemoteError) throw err;
    throw new RemoteError('bad_request', `cannot read the photo: ${(err as Error).message}`);
  }
  const run = (body: Body) => limiter.run(() => client.chat(body, signal), signal);

  const tagsAsked = async (): Promise<{ tags: string[]; structured: boolean }> => {
    if (o.labels.length === 0) return { tags: [], structured: false };
    const question = tagQuestion(o.labels);
    const tokens = 16 + 12 * DEFAULT_TAG_TOP_K;
    if (o.state.schema !== false) {
      try {
        const res = await run(
          ask(image.url, question, tokens, {
            response_format: { type: 'json_schema', json_schema: { name: 'photo_tags', schema: tagSchema(o.labels), strict: true } },
          }),
        );
        o.state.schema = true;
        const parsed = parseTagAnswer(contentOf(res).text, o.labels);
        return { tags: parsed.tags, structured: parsed.json };
      } catch (err) {
        // A server without guided decoding says 400 to response_format: ask it plainly from now on.
        if (!(err instanceof RemoteError && err.kind === 'bad_request' && o.state.schema === null)) throw err;
        o.state.schema = false;
      }
    }
    const res = await run(ask(image.url, question, tokens));
    return { tags: parseTagAnswer(contentOf(res).text, o.labels).tags, structured: false };
  };

  const [captionRes, tagged] = await Promise.all([
    run(ask(image.url, DEFAULT_UNDERSTAND_CAPTION_PROMPT, DEFAULT_CAPTION_TOKENS)),
    tagsAsked(),
  ]);
  const caption = answer(captionRes, stripCaptionPreamble);
  const textLabels = new Set(o.textLabels);
  const reason = tagged.tags.find((t) => textLabels.has(t)) ?? null;
  let text: RemoteAnswers['text'] = null;
  if (reason !== null) {
    const res = await run(ask(image.url, DEFAULT_OCR_PROMPT, DEFAULT_OCR_TOKENS));
    text = { ...answer(res), reason };
  }
  return { numTiles: image.numTiles, caption, tags: tagged.tags, structured: tagged.structured, text };
}
