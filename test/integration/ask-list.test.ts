/**
 * @file The Ask page's list of library conversations (`ask:list`) through the router, as the renderer
 * calls it, over a real database: each conversation is named by its first question, however many follow,
 * and dated and ordered by its last question. No model: an empty library answers every question at once
 * ("nothing matches"), so only the list is under test. Answers and sources: library-chat.test.ts here
 * and in test/unit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLog } from '../../main/log';
import { createServices, type Services } from '../../main/services';
import type { LibraryConversationDto, LibraryConversationSummary, LibraryTurnDto } from '../../preload/contract';
import { routerCaller } from './helpers/router-call';

const root = mkdtempSync(join(tmpdir(), 'shoebox-ask-list-'));
let services: Services;
const call = routerCaller(() => services);

beforeAll(async () => {
  services = await createServices({ dataDir: join(root, 'data'), shell: 'headless', log: silentLog });
});
afterAll(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

/** Asks `text` in `conversationId` once the clock has moved on, so no two questions share a millisecond. */
async function ask(conversationId: number, text: string): Promise<LibraryTurnDto> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((r) => setTimeout(r, 1));
  const turn = await call<LibraryTurnDto>('ask:send', { conversationId, text });
  expect(turn.state).toBe('done');
  return turn;
}

it('names each conversation by its first question and dates and orders it by its last', async () => {
  expect(await call<LibraryConversationSummary[]>('ask:list', {})).toEqual([]);
  const giraffes = (await call<LibraryConversationDto>('ask:create', {})).id;
  await ask(giraffes, 'How many photos of giraffes?');
  const zebras = (await call<LibraryConversationDto>('ask:create', {})).id;
  const zebrasTurn = await ask(zebras, 'Any photos of zebras?');
  await ask(giraffes, 'and the year before?');
  const last = await ask(giraffes, 'When did we last see a giraffe?');

  expect(await call<LibraryConversationSummary[]>('ask:list', {})).toEqual([
    { id: giraffes, firstQuestion: 'How many photos of giraffes?', turnCount: 3, updatedAt: last.askedAt },
    { id: zebras, firstQuestion: 'Any photos of zebras?', turnCount: 1, updatedAt: zebrasTurn.askedAt },
  ]);
});
