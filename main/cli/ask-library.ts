/**
 * @file `shoebox ask --library "QUESTION" [--continue] [--json]`: asks about the whole library
 * (main/chat/library-chat.ts). The facts from the database are printed first, then the answer streams,
 * then the photos it was given, the cited ones marked. `--continue` goes on with the newest library
 * conversation (a follow-up such as "and the year before?" keeps its search). Called by main/cli/ask.ts.
 *
 * Runs in the CLI (plain Node). Exit codes: 0 answered, 1 not answered (no model, stopped, failed).
 */
import type { LibraryTurnDto } from '../../preload/contract';
import type { Services } from '../services';
import { formatAskSummary, reportUnfinished, tokensPerSecond } from './ask';

/** The lines after a library answer: the photos it was given, cited ones first marked with *. */
export function formatSources(turn: Pick<LibraryTurnDto, 'sources'>, pathOf: (photoId: number | null) => string | null): string[] {
  return turn.sources.map((s) => `${s.cited ? '*' : ' '} [${s.n}] ${pathOf(s.photoId) ?? `${s.name} (no longer in the library)`}`);
}

/** Runs one library question; prints as `ask` does. */
export async function askLibrary(
  services: Services,
  text: string,
  opts: { continue?: boolean | undefined; json?: boolean | undefined },
  print: (json: boolean, value: unknown, human: () => string) => void,
): Promise<void> {
  const chat = services.libraryChat;
  const existing = opts.continue ? chat.list()[0] : undefined;
  const conversationId = existing?.id ?? chat.create().id;
  const offTurn = opts.json
    ? () => {}
    : services.events.on('ask:turn', (e) => {
        // The facts come before the answer: print them when the turn starts.
        if (e.conversationId === conversationId && e.turn.state === 'answering' && e.turn.facts)
          process.stderr.write(`${e.turn.facts.lines.join('\n')}\n`);
      });
  const offToken = opts.json
    ? () => {}
    : services.events.on('chat:token', (e) => e.conversationId === conversationId && process.stdout.write(e.text));
  const onSigint = () => chat.stop(conversationId);
  process.once('SIGINT', onSigint);
  let turn: LibraryTurnDto;
  try {
    turn = await chat.send(conversationId, text);
  } finally {
    offTurn();
    offToken();
    process.off('SIGINT', onSigint);
  }
  const pathOf = (id: number | null) =>
    id === null ? null : (services.library.getPhoto(id)?.files.find((f) => f.status === 'ok')?.absPath ?? null);
  if (opts.json) {
    print(
      true,
      {
        conversationId,
        turnId: turn.id,
        question: text,
        search: turn.search,
        answer: turn.answer,
        state: turn.state,
        error: turn.error,
        facts: turn.facts,
        model: { id: turn.modelId, demo: turn.demo },
        cited: turn.sources.filter((s) => s.cited).map((s) => ({ n: s.n, id: s.photoId, name: s.name, path: pathOf(s.photoId) })),
        photos: turn.sources.map((s) => ({ n: s.n, id: s.photoId, name: s.name, path: pathOf(s.photoId), cited: s.cited })),
        timings: { ttftMs: turn.ttftMs, totalMs: turn.totalMs, tokens: turn.tokens, tokensPerSecond: tokensPerSecond(turn) },
      },
      () => '',
    );
  } else {
    // A turn answered without the model (nothing found) did not stream: its answer is printed whole.
    if (turn.modelId === null && turn.state === 'done') process.stdout.write(turn.answer);
    process.stdout.write('\n');
    for (const line of formatSources(turn, pathOf)) process.stdout.write(`${line}\n`);
    // [Note: Demo output is labelled] in main/inference/inference.service.ts
    if (turn.demo) process.stderr.write(`(demo model ${turn.modelId ?? ''}: random weights, the text is meaningless)\n`);
    if (turn.state === 'done' && turn.modelId !== null) process.stderr.write(`${formatAskSummary(turn)}\n`);
  }
  reportUnfinished(turn);
}
