/**
 * The contract and the router: every request has a validator and a handler, bad arguments become a
 * typed 'bad-argument' error, handler errors keep their code, unknown methods are refused.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../preload/api-error';
import { requestSchemas, type Handlers } from '../../preload/contract';
import { createHandlers } from '../../main/api/handlers';
import { createRouter } from '../../main/api/router';
import { silentLog } from '../../main/log';

/** Every method answers with its own name, so we can see which handler ran. */
function echoHandlers(): Handlers {
  const h: Record<string, (a: unknown) => unknown> = {};
  for (const k of Object.keys(requestSchemas)) h[k] = (a) => ({ method: k, args: a });
  return h as unknown as Handlers;
}

describe('contract', () => {
  it('has a handler for every request and no handler without a request', () => {
    const never = new Proxy(
      {},
      {
        get: () => () => {
          throw new Error('not called');
        },
      },
    );
    const handlers = createHandlers({
      version: '0',
      paths: never,
      db: never,
      library: never,
      models: never,
      info: { shell: 'headless', mediaBase: '/media' },
    } as never);
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(requestSchemas).sort());
    for (const fn of Object.values(handlers)) expect(typeof fn).toBe('function');
  });

  it('names every request domain:verb', () => {
    for (const k of Object.keys(requestSchemas)) expect(k).toMatch(/^[a-z]+:[a-zA-Z]+$/);
  });
});

describe('router', () => {
  const router = createRouter(echoHandlers(), silentLog);

  it('validates and passes parsed arguments (defaults applied)', async () => {
    const r = await router.call('jobs:failures', {});
    expect(r).toEqual({ ok: true, result: { method: 'jobs:failures', args: { offset: 0, limit: 100 } } });
  });

  it.each([
    ['photos:page', { offset: -1, limit: 10 }, 'offset'],
    ['photos:page', { offset: 0, limit: 100000 }, 'limit'],
    ['photos:get', { id: 'x' }, 'id'],
    ['photos:get', { id: 1, extra: true }, '(arguments)'],
    ['library:addFolder', { path: '   ' }, 'path'],
    ['models:download', { id: '../etc' }, 'id'],
  ])('refuses bad arguments for %s', async (method, args, path) => {
    const r = await router.call(method, args);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('bad-argument');
    expect(r.error.issues?.map((i) => i.path)).toContain(path);
  });

  it('refuses unknown and prototype methods', async () => {
    for (const m of ['nope:nope', 'constructor', '__proto__', 42, null]) {
      const r = await router.call(m, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    }
  });

  it('keeps ApiError codes and hides nothing else than internals', async () => {
    const handlers = echoHandlers();
    handlers['photos:get'] = () => {
      throw new ApiError('not-found', 'No photo with id 7');
    };
    handlers['jobs:status'] = () => {
      throw new TypeError('boom');
    };
    const r2 = createRouter(handlers, silentLog);
    expect(await r2.call('photos:get', { id: 7 })).toEqual({ ok: false, error: { code: 'not-found', message: 'No photo with id 7' } });
    expect(await r2.call('jobs:status', {})).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
  });
});
