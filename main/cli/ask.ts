/**
 * @file `shoebox ask PHOTO... "QUESTION" [--continue] [--json]`: asks InternVL about one or several
 * photos of the library (each a path or a photo id; several are sent as separate images), streaming the
 * answer to the terminal. The conversation is saved like one started in the viewer; `--continue` goes
 * on with the newest conversation about exactly these photos. Registered by main/cli/index.ts.
 * `--library` asks about the whole library instead (./ask-library.ts).
 *
 * Runs in the CLI (plain Node), with the library not started. Exit codes as every command: 0 answered,
 * 1 not answered (no model, a photo not in the library, the answer failed or was stopped with Ctrl-C:
 * the answer so far is printed and saved), 2 bad usage (no question, an empty or too long one).
 */
import type { Command } from 'commander';
import { requestSchemas, type ChatTurnDto } from '../../preload/contract';
import { MAX_CHAT_PHOTOS } from '../../preload/contract/chat-limits';
import { resolvePhotoRef } from '../chat/photo-ref';
import { askLibrary } from './ask-library';
import type { Services } from '../services';

/** Decode speed after the first token, tokens per second; null when it cannot be told. */
export function tokensPerSecond(t: Pick<ChatTurnDto, 'tokens' | 'ttftMs' | 'totalMs'>): number | null {
  if (t.ttftMs === null || t.totalMs === null || t.tokens < 2 || t.totalMs <= t.ttftMs) return null;
  return Math.round(((t.tokens - 1) / ((t.totalMs - t.ttftMs) / 1000)) * 10) / 10;
}

/** The line after an answer: model, tiles, first token, total, speed. */
export function formatAskSummary(t: ChatTurnDto): string {
  const parts = [t.modelId ?? 'no model', ...(t.numTiles !== null ? [`${t.numTiles} tile${t.numTiles === 1 ? '' : 's'}`] : [])];
  if (t.ttftMs !== null) parts.push(`first token ${(t.ttftMs / 1000).toFixed(1)} s`);
  if (t.totalMs !== null) parts.push(`${(t.totalMs / 1000).toFixed(1)} s`);
  const speed = tokensPerSecond(t);
  if (speed !== null) parts.push(`${speed} tok/s`);
  if (t.finishReason === 'length') parts.push('cut at the length limit');
  return parts.join(' · ');
}

/** Says why a turn did not finish, on stderr, and makes the exit code 1 (a stopped or failed answer). */
export function reportUnfinished(turn: Pick<ChatTurnDto, 'state' | 'error'>): void {
  if (turn.state === 'stopped') {
    process.stderr.write(`shoebox: stopped${turn.error ? `: ${turn.error}` : ''} (the answer so far is saved)\n`);
    process.exitCode = 1;
  } else if (turn.state === 'failed') {
    process.stderr.write(`shoebox: ${turn.error ?? 'the answer failed'}\n`);
    process.exitCode = 1;
  }
}

/** Adds the `ask` command; `withServices` opens and always closes the services. */
export function registerAskCommand(
  program: Command,
  withServices: <T>(fn: (services: Services) => Promise<T>) => Promise<T>,
  print: (json: boolean, value: unknown, human: () => string) => void,
): void {
  program
    .command('ask')
    .description('ask InternVL about photos of the library; the answer streams, the conversation is saved')
    .argument('<photo-and-question...>', `one to ${MAX_CHAT_PHOTOS} photos (paths or photo ids), then the question`)
    .option('--library', 'ask about the whole library: the answer cites the photos it used (give the question only)')
    .option('--continue', 'go on with the newest conversation about exactly these photos (with --library: the newest library conversation)')
    .option('--json', 'machine-readable output (answer, photos, timings) instead of streaming')
    .action(async (args: string[], opts: { continue?: boolean; json?: boolean; library?: boolean }, command: Command) => {
      // Prints the message and exits 2 (as commander's own usage errors do).
      const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2, code: 'shoebox.askUsage' });
      const question = args.at(-1) ?? '';
      const refs = args.slice(0, -1);
      if (opts.library) {
        if (refs.length > 0) usage('with --library give the question only, in quotes: shoebox ask --library "QUESTION"');
        const valid = requestSchemas['ask:send'].safeParse({ conversationId: 1, text: question });
        if (!valid.success) return usage(valid.error.issues.map((i) => i.message).join('; '));
        const text = valid.data.text;
        return withServices((services) => askLibrary(services, text, opts, print));
      }
      if (refs.length === 0) usage('give a photo (path or id) and then the question: shoebox ask PHOTO... "QUESTION"');
      if (refs.length > MAX_CHAT_PHOTOS) usage(`at most ${MAX_CHAT_PHOTOS} photos`);
      const valid = requestSchemas['chat:send'].safeParse({ conversationId: 1, text: question });
      if (!valid.success) return usage(valid.error.issues.map((i) => i.message).join('; '));
      const text = valid.data.text;

      await withServices(async (services) => {
        const chat = services.photoChat;
        const photoIds: number[] = [];
        for (const ref of refs) photoIds.push(await resolvePhotoRef(services.db, ref));
        const same = (ids: (number | null)[]) => ids.length === photoIds.length && ids.every((id, i) => id === photoIds[i]);
        const existing = opts.continue ? chat.list(photoIds[0]!).find((c) => same(c.photos.map((p) => p.photoId))) : undefined;
        const conversationId = existing?.id ?? chat.create(photoIds).id;

        const off = opts.json
          ? () => {}
          : services.events.on('chat:token', (e) => e.conversationId === conversationId && process.stdout.write(e.text));
        const onSigint = () => chat.stop(conversationId);
        process.once('SIGINT', onSigint);
        let turn: ChatTurnDto;
        try {
          turn = await chat.send(conversationId, text);
        } finally {
          off();
          process.off('SIGINT', onSigint);
        }
        const photos = photoIds.map((id) => {
          const p = services.library.getPhoto(id);
          return { id, name: p?.name ?? null, path: p?.files.find((f) => f.status === 'ok')?.absPath ?? null };
        });
        const result = {
          conversationId,
          turnId: turn.id,
          question: text,
          answer: turn.answer,
          state: turn.state,
          error: turn.error,
          finishReason: turn.finishReason,
          model: { id: turn.modelId, demo: turn.demo },
          numTiles: turn.numTiles,
          photos,
          timings: { ttftMs: turn.ttftMs, totalMs: turn.totalMs, tokens: turn.tokens, tokensPerSecond: tokensPerSecond(turn) },
        };
        if (opts.json) print(true, result, () => '');
        else {
          process.stdout.write('\n');
          // [Note: Demo output is labelled] in main/inference/inference.service.ts
          if (turn.demo) process.stderr.write(`(demo model ${turn.modelId ?? ''}: random weights, the text is meaningless)\n`);
          if (turn.state === 'done') process.stderr.write(`${formatAskSummary(turn)}\n`);
        }
        reportUnfinished(turn);
      });
    });
}
