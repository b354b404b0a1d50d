/**
 * @file Photo and library chat through a remote backend (`remote.chat`): the chat services
 * (main/chat/photo-chat.ts, library-chat.ts) get this in place of the inference service's `chat`, and
 * it answers a turn by streaming a chat completion from the backend the understanding step uses, or
 * hands the turn to the local worker (remote chat off, or no backend answers and the worker may take
 * over).
 *
 * Runs in main: network waits and sharp's pool. The conversation is sent whole each turn, as the
 * OpenAI API has no session: the images (JPEG data URLs sized like understanding's) and the preamble in
 * the first user message, then each earlier question and answer, then the new question. Failures reach
 * the chat service as the worker's would (WorkerClientError: 'cancelled' for Stop, 'timeout', else
 * 'internal' with the server's reason), so its policy (the partial answer kept, the reason shown) holds.
 */
import type { ChatCompletionContentPart, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ApiError } from '../../preload/api-error';
import type { Settings } from '../../preload/contract';
import type { InferenceService, LoadedModel, ModelChoice } from '../inference/inference.service';
import { WorkerClientError } from '../inference/worker-client';
import { remoteMakerId } from './backends';
import { RemoteError } from './remote-client';
import type { RemoteUnderstandStep } from './remote-step';
import { imageDataUrl } from './remote-understand';

type ChatInference = Pick<InferenceService, 'chat' | 'chatEnd' | 'activeModel'>;
type ChatParams = Parameters<InferenceService['chat']>[0];

export interface RemoteChatDeps {
  local: ChatInference;
  settings: () => Settings['remote'];
  step: Pick<RemoteUnderstandStep, 'usable' | 'failed'>;
}

const on = (s: Settings['remote']) => s.enabled && s.chat && s.backends.length > 0;

/** The chat half of the inference service, through the backend when `remote.chat` is on. */
export function createRemoteChat(deps: RemoteChatDeps): ChatInference {
  const { local } = deps;

  async function messagesOf(p: ChatParams, maxTiles: number): Promise<{ messages: ChatCompletionMessageParam[]; numTiles: number }> {
    const images = p.history?.images ?? p.images ?? [];
    let numTiles = 0;
    const parts: ChatCompletionContentPart[] = [];
    for (const img of images) {
      const d = await imageDataUrl(img.path, img.maxTiles ?? maxTiles);
      numTiles += d.numTiles;
      parts.push({ type: 'image_url', image_url: { url: d.url } });
    }
    const turns = p.history?.turns ?? [];
    const preamble = p.history?.preamble ? `${p.history.preamble}\n` : '';
    const questions = [...turns.map((t) => t.question), p.message];
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: [...parts, { type: 'text', text: preamble + questions[0]! }] },
    ];
    turns.forEach((t, i) => {
      messages.push({ role: 'assistant', content: t.answer });
      messages.push({ role: 'user', content: questions[i + 1]! });
    });
    return { messages, numTiles };
  }

  return {
    activeModel(): ModelChoice | null {
      const s = deps.settings();
      const first = s.backends[0];
      if (!on(s) || !first) return local.activeModel();
      return { id: remoteMakerId(first), name: first.model, variant: 'remote', demo: false };
    },

    chatEnd: (sessionId) => local.chatEnd(sessionId),

    async chat(params, opts = {}) {
      const s = deps.settings();
      if (!on(s)) return local.chat(params, opts);
      const use = await deps.step.usable();
      if (!use) {
        if (s.fallbackLocal && local.activeModel()) return local.chat(params, opts);
        throw new ApiError(
          'unavailable',
          'No remote backend answers now, and the local worker may not take over (see `shoebox backends check`).',
        );
      }
      const t0 = performance.now();
      const { messages, numTiles } = await messagesOf(params, s.maxTiles);
      const sampling = params.sampling ?? {};
      let streamed = '';
      try {
        const r = await use.client.chatStream(
          {
            messages,
            ...(sampling.maxNewTokens ? { max_tokens: sampling.maxNewTokens } : {}),
            temperature: sampling.temperature ?? 0,
            ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
          },
          (text) => {
            streamed += text;
            opts.onChunk?.({ text, tokenIds: [] });
          },
          opts.signal,
        );
        const model: LoadedModel = {
          id: remoteMakerId(use.backend),
          name: use.backend.model,
          variant: 'remote',
          demo: false,
          provider: 'remote',
        };
        const prompt = r.promptTokens ?? 0;
        return {
          model,
          result: {
            text: r.text,
            tokenIds: [],
            finishReason: r.finish,
            promptTokens: prompt,
            numTiles,
            timings: { preprocessMs: 0, visionMs: 0, prefillMs: 0, decodeMs: Math.round(performance.now() - t0) },
            turn: (params.history?.turns.length ?? 0) + 1,
            reusedTokens: 0,
            droppedTurns: 0,
            contextTokens: prompt + (r.completionTokens ?? 0),
            contextWindow: 0,
          },
        };
      } catch (err) {
        const e = err instanceof RemoteError ? err : new RemoteError('server', err instanceof Error ? err.message : String(err));
        if (e.kind === 'cancelled' || opts.signal?.aborted) throw new WorkerClientError('cancelled', 'stopped');
        deps.step.failed(use.backend, e);
        // Nothing said yet and the worker may answer instead: it does.
        if (e.kind === 'down' && streamed === '' && s.fallbackLocal && local.activeModel()) return local.chat(params, opts);
        throw new WorkerClientError(e.kind === 'timeout' ? 'timeout' : 'internal', e.message);
      }
    },
  };
}
