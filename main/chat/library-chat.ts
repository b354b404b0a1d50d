/**
 * @file Library chat: questions about the whole library, behind `ask:*` and `shoebox ask
 * --library`. A question becomes a search (./library-question.ts, the search issue's parser, filters and
 * ranking); counts and dates are computed from the database first ([Note: Library facts come from the
 * database]); the photos found go to InternVL as text in a budgeted prompt (./library-prompt.ts); the
 * answer streams as `chat:token` and cites the photos it used ([Note: Library chat contract]).
 *
 * Runs in main (app, headless host, CLI, tests); knows nothing of Electron. SQL is in
 * main/db/library-chat.repo.ts and main/db/chat.repo.ts (a library conversation's turns are saved,
 * streamed, stopped and failed exactly as photo chat's: [Note: What the model remembers] in ./photo-chat.ts).
 *
 * [Note: Library answers] Only text reaches the model: captions, tags, text in the image, dates, places
 * and file names of the best LIBRARY_MAX_PHOTOS photos, never a path and, for now, never the images
 * themselves (a 1-tile image costs 256 tokens and seconds of vision encoder on CPU per photo; the
 * captions are that encoder's work already). When the search finds nothing (or a count is zero) the
 * answer says so and the model is not asked, so it cannot invent one. The worker session of a library
 * conversation is rebuilt from the saved questions and answers whenever its cache does not hold them
 * (the cache holds the long prompt of the last turn; history keeps the short question).
 *
 * [Note: Library chat sees what the library shows] Hidden photos and photos moved to the Trash are
 * neither counted in the facts nor shown to the model, exactly as search leaves them out: the facts run
 * search's filter through the same `createShownOnly` (main/db/collections-views.repo.ts), and the photos
 * come from search itself. A photo hidden or trashed after an answer leaves that answer's photos too
 * (main/db/library-chat.repo.ts `sources`, as if it had left the library) and comes back when shown again.
 */
import { ApiError } from '../../preload/api-error';
import type { LibraryConversationDto, LibraryConversationSummary, LibraryFactsDto, LibraryTurnDto, Rotation } from '../../preload/contract';
import type { ChatHistoryTurn } from '../../native/protocol';
import { createChatRepo, type TurnRow } from '../db/chat.repo';
import { createShownOnly } from '../db/collections-views.repo';
import { createLibraryChatRepo, type FactRow } from '../db/library-chat.repo';
import type { Db } from '../db/open';
import { filterSql } from '../db/photo-filter';
import { createSearchFieldsRepo } from '../db/search-fields.repo';
import type { Emit } from '../events';
import type { InferenceService } from '../inference/inference.service';
import type { Log } from '../log';
import { libraryPlaceResolver } from '../search/place-resolver';
import type { Search } from '../search/hybrid-search';
import { rankedWords } from '../search/stop-words';
import { answerStream, createAnswerRuns, minAnswerTokens, positiveEnv, unfinishedOutcome, type AnswerRun } from './answer-runs';
import { firstSeenTurnId, iso, turnDto } from './chat-text';
import {
  buildLibraryPrompt,
  factLines,
  LIBRARY_MAX_PHOTOS,
  LIBRARY_PROMPT_TOKENS,
  nothingFoundAnswer,
  parseCitations,
  type LibraryFacts,
  type SourcePhoto,
} from './library-prompt';
import { describeQuery, libraryQuery, type LibraryQuery } from './library-question';
import { CHAT_MAX_NEW_TOKENS } from './photo-chat';

export interface LibraryChatDeps {
  db: Db;
  search: Pick<Search, 'search'>;
  inference: Pick<InferenceService, 'chat' | 'chatEnd' | 'activeModel'>;
  noModelReason: () => string | null;
  emit: Emit;
  log: Log;
  /** Most tokens prompt + answer may take (default SHOEBOX_CHAT_CONTEXT_TOKENS, else the model's window). */
  contextTokens?: number | undefined;
  maxNewTokens?: number | undefined;
  /** Tokens of the library prompt ([Note: Library prompt budget]). */
  promptTokens?: number | undefined;
  /** How long the search waits for the query's embedding (ms). */
  searchWaitMs?: number | undefined;
  /** The clock for relative dates; now by default. */
  now?: () => Date;
}

/** The `ask:*` requests. */
export interface LibraryChat {
  list(): LibraryConversationSummary[];
  get(conversationId: number): LibraryConversationDto;
  create(): LibraryConversationDto;
  send(conversationId: number, text: string): Promise<LibraryTurnDto>;
  stop(conversationId: number): boolean;
  delete(conversationId: number): Promise<boolean>;
  modelChanged(): void;
  close(): Promise<void>;
}

const sessionOf = (conversationId: number) => `library-chat:${conversationId}`;

/** The stored facts as the contract shows them. */
function factsDto(f: LibraryFacts, row: Pick<FactRow, 'first_id' | 'last_id'>): LibraryFactsDto {
  return { ...f, firstPhotoId: row.first_id, lastPhotoId: row.last_id, lines: factLines(f) };
}

/** A place as the index stores it ('Lisbon ; Lisbon ; Portugal ; …') in words: 'Lisbon, Portugal'. */
const placeWords = (stored: string) => {
  const [city = '', region = '', country = ''] = stored.split(' ; ').map((s) => s.trim());
  return [...new Set([city, region, country].filter(Boolean))].join(', ');
};

export function createLibraryChat(deps: LibraryChatDeps): LibraryChat {
  const { db, inference, emit, log } = deps;
  const turns = createChatRepo(db);
  const repo = createLibraryChatRepo(db);
  const fields = createSearchFieldsRepo(db);
  // [Note: Library chat sees what the library shows]
  const shownOnly = createShownOnly(db);
  const contextTokens = deps.contextTokens ?? positiveEnv('SHOEBOX_CHAT_CONTEXT_TOKENS');
  const maxNewTokens = deps.maxNewTokens ?? positiveEnv('SHOEBOX_CHAT_MAX_NEW_TOKENS') ?? CHAT_MAX_NEW_TOKENS;
  const minNewTokens = minAnswerTokens();
  // [Note: Library prompt budget]: a third of a context budget that is set, at most the default.
  const promptTokens =
    deps.promptTokens ?? Math.min(LIBRARY_PROMPT_TOKENS, contextTokens ? Math.floor(contextTokens / 3) : LIBRARY_PROMPT_TOKENS);
  const now = deps.now ?? (() => new Date());
  const runs = createAnswerRuns();

  const libraryConversation = (id: number) => {
    const kind = repo.kind(id);
    if (kind === undefined) throw new ApiError('not-found', `No conversation with id ${id}`);
    if (kind !== 'library') throw new ApiError('bad-argument', `Conversation ${id} is about photos, not the library: use chat:send.`);
    return turns.get(id)!;
  };

  const savedQuery = (turnId: number): LibraryQuery | null => {
    const q = repo.queryOf(turnId)?.query;
    return q ? (JSON.parse(q) as LibraryQuery) : null;
  };

  function turnOut(row: TurnRow): LibraryTurnDto {
    const saved = repo.queryOf(row.id);
    const query = saved?.query ? (JSON.parse(saved.query) as LibraryQuery) : null;
    const facts = saved?.facts ? (JSON.parse(saved.facts) as LibraryFactsDto) : null;
    const sources = repo.sources(row.id);
    const cited = new Set(parseCitations(row.answer, sources.length));
    return {
      ...turnDto(row),
      search: query ? describeQuery(query) : null,
      facts,
      sources: sources.map((s) => ({
        n: s.position,
        photoId: s.photo_id,
        name: s.name,
        thumb: s.thumb,
        ...(s.rotation ? { rotation: s.rotation as Rotation } : {}),
        cited: cited.has(s.position),
      })),
    };
  }

  const dto = (id: number): LibraryConversationDto => {
    const row = libraryConversation(id);
    const rows = turns.turns(id);
    return {
      id,
      turns: rows.map(turnOut),
      firstSeenTurnId: firstSeenTurnId(rows),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  };

  const announce = (conversationId: number, turnId: number): LibraryTurnDto | null => {
    const row = turns.turn(turnId);
    if (!row) return null;
    const turn = turnOut(row);
    emit('ask:turn', { conversationId, turn, firstSeenTurnId: firstSeenTurnId(turns.turns(conversationId)) });
    return turn;
  };

  /** The photos to show the model: the facts' first/last photos, then the search's best, each once. */
  async function findPhotos(q: LibraryQuery, facts: FactRow | null): Promise<SourcePhoto[]> {
    const found = await deps.search.search('', {
      limit: LIBRARY_MAX_PHOTOS * 2,
      offset: 0,
      parsed: q,
      ...(deps.searchWaitMs !== undefined ? { waitMs: deps.searchWaitMs } : {}),
    });
    const first = q.intent === 'first' || q.intent === 'when' ? [facts?.first_id] : [];
    const last = q.intent === 'last' || q.intent === 'when' ? [facts?.last_id] : [];
    const ids = [...new Set([...last, ...first, ...found.items.map((i) => i.id)].filter((id): id is number => typeof id === 'number'))];
    const taken = new Map(found.items.map((i) => [i.id, i.takenAt]));
    const byId = new Map(fields.fields(ids).map((f) => [f.photoId, f]));
    const names = repo.identities(ids);
    const takenAt = (id: number) =>
      taken.get(id) ?? (id === facts?.last_id ? facts.last : id === facts?.first_id ? facts.first : null) ?? '';
    return ids.flatMap((id) => {
      const f = byId.get(id);
      const who = names.get(id);
      if (!f || !who) return [];
      return [
        { photoId: id, name: who.name, takenAt: takenAt(id), place: placeWords(f.place), caption: f.caption, tags: f.tags, text: f.text },
      ];
    });
  }

  /** Streams the model's answer to turn `turnId` (saved, 'answering') and saves how it ended. */
  async function answer(conversationId: number, turnId: number, message: string, run: AnswerRun): Promise<void> {
    const model = inference.activeModel();
    const done = turns.turns(conversationId).filter((t) => t.id < turnId && t.state === 'done');
    const history: ChatHistoryTurn[] = done.map((t) => ({ question: t.question, answer: t.answer }));
    const stream = answerStream(emit, { conversationId, turnId }, (text, tokens) => turns.savePartial(turnId, text, tokens));
    try {
      const { result, model: used } = await inference.chat(
        {
          sessionId: sessionOf(conversationId),
          message,
          sampling: { maxNewTokens, ...minNewTokens },
          history: { images: [], turns: history, ...(contextTokens ? { contextTokens } : {}) },
        },
        {
          signal: run.ac.signal,
          onChunk: (c) => stream.onChunk(c),
        },
      );
      const dropped = result.droppedTurns;
      turns.finish(
        turnId,
        {
          state: 'done',
          answer: result.text,
          answerIds: null, // the cache is rebuilt from the short question, not the prompt these ids followed
          error: null,
          finishReason: result.finishReason,
          model: { id: used.id, variant: used.variant, demo: used.demo },
          numTiles: null,
          firstSeenId: dropped > 0 ? (done[dropped]?.id ?? turnId) : null,
          ttftMs: stream.ttftMs,
          totalMs: stream.elapsedMs(),
          tokens: result.tokenIds.length,
        },
        Date.now(),
      );
    } catch (err) {
      const outcome = unfinishedOutcome(err, run, stream, model);
      if (outcome.state === 'failed') log.warn('library answer failed', { conversationId, turnId, error: outcome.error });
      turns.finish(turnId, outcome, Date.now());
    }
  }

  /** Saves a turn answered by the database alone (nothing found): no model ran. */
  function answerWithoutModel(turnId: number, text: string) {
    turns.finish(
      turnId,
      {
        state: 'done',
        answer: text,
        answerIds: null,
        error: null,
        finishReason: 'stop',
        model: null,
        numTiles: null,
        firstSeenId: null,
        ttftMs: 0,
        totalMs: 0,
        tokens: 0,
      },
      Date.now(),
    );
  }

  async function ask(conversationId: number, text: string, run: AnswerRun): Promise<LibraryTurnDto> {
    const previous = turns.turns(conversationId).findLast((t) => repo.queryOf(t.id)?.query);
    const q = libraryQuery(text, now(), previous ? savedQuery(previous.id) : null, { places: libraryPlaceResolver(db) });
    const described = describeQuery(q);
    const factRow = q.intent === 'find' ? null : repo.facts(shownOnly(filterSql(q.filters)), rankedWords(q.semantic));
    const facts: LibraryFacts | null = factRow
      ? { intent: q.intent, query: described, count: factRow.count, first: factRow.first, last: factRow.last }
      : null;
    const searchable = q.semantic !== '' || q.filters.length > 0;
    const photos = searchable ? await findPhotos(q, factRow) : [];
    const nothing = facts ? facts.count === 0 : photos.length === 0;
    // A question that needs the model is refused before anything is saved when there is none.
    if (!nothing && !inference.activeModel()) {
      throw new ApiError('unavailable', deps.noModelReason() ?? 'No model is available. Open the Models page.');
    }
    const prompt = buildLibraryPrompt(text, facts, photos, promptTokens);
    const turnId = turns.addTurn(conversationId, text, Date.now());
    repo.setQuery(turnId, JSON.stringify(q), facts && factRow ? JSON.stringify(factsDto(facts, factRow)) : null);
    const ids = repo.identities(prompt.used.map((p) => p.photoId));
    repo.setSources(
      turnId,
      prompt.used.flatMap((p) => {
        const who = ids.get(p.photoId);
        return who ? [who] : [];
      }),
    );
    announce(conversationId, turnId);
    if (nothing) answerWithoutModel(turnId, nothingFoundAnswer(described));
    else await answer(conversationId, turnId, prompt.message, run);
    const out = announce(conversationId, turnId);
    if (!out) throw new ApiError('not-found', `The conversation ${conversationId} was deleted while it was being answered.`);
    return out;
  }

  return {
    list: () =>
      repo.list().map((c) => ({ id: c.id, turnCount: c.turn_count, firstQuestion: c.first_question, updatedAt: iso(c.updated_at) })),
    get: dto,
    create() {
      // An empty library conversation (its first question refused) is reused rather than piling up.
      return dto(repo.emptyConversation() ?? repo.create(Date.now()));
    },
    async send(conversationId, text) {
      libraryConversation(conversationId);
      return runs.claim(conversationId, (run) => ask(conversationId, text, run));
    },
    stop: (conversationId) => runs.stop(conversationId),
    async delete(conversationId) {
      libraryConversation(conversationId);
      await runs.stopAndWait(conversationId, 'deleted');
      const deleted = turns.delete(conversationId);
      if (deleted) await inference.chatEnd(sessionOf(conversationId)).catch(() => undefined);
      return deleted;
    },
    modelChanged: () => runs.stopAll('model-changed'),
    close: () => runs.close(),
  };
}
