/**
 * @file Dispatches one API call: looks the method up, validates its arguments with the contract's
 * schema, runs the handler, and turns every failure into an `ApiErrorDto` the caller can branch on.
 * Used by both front doors (Electron IPC in main/ipc.ts, WebSocket in main/host/api-socket.ts).
 */
import type { z } from 'zod';
import { ApiError } from '../../preload/api-error';
import { requestSchemas, type ApiErrorDto, type Handlers, type RequestName } from '../../preload/contract';
import { errMessage } from '../errors';
import type { Log } from '../log';

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorDto };

export interface Router {
  call(method: unknown, args: unknown): Promise<CallOutcome>;
}

/** A 'bad-argument' error listing each of a failed validation's issues; `what` leads the message. */
export function badArgument(what: string, error: z.ZodError): ApiErrorDto {
  const issues = error.issues.map((i) => ({ path: i.path.join('.') || '(arguments)', message: i.message }));
  return { code: 'bad-argument', message: `${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues };
}

const isRequestName = (m: unknown): m is RequestName => typeof m === 'string' && Object.hasOwn(requestSchemas, m);

/** Builds the dispatcher over a complete handler map. */
export function createRouter(handlers: Handlers, log: Log): Router {
  return {
    async call(method, rawArgs) {
      if (!isRequestName(method)) {
        return { ok: false, error: { code: 'unknown-method', message: `Unknown method ${JSON.stringify(method)}` } };
      }
      const parsed = requestSchemas[method].safeParse(rawArgs ?? {});
      if (!parsed.success) return { ok: false, error: badArgument(`Invalid arguments for ${method}`, parsed.error) };
      try {
        // The map is keyed by method, so the handler and its validated arguments always agree; TypeScript
        // cannot correlate the two through a union key, hence the one cast here.
        const handler = handlers[method] as (a: unknown) => unknown;
        const result = await handler(parsed.data);
        return { ok: true, result };
      } catch (err) {
        if (err instanceof ApiError) return { ok: false, error: err.toDto() };
        log.error(`handler ${method} failed`, { err });
        const message = errMessage(err);
        return { ok: false, error: { code: 'internal', message } };
      }
    },
  };
}
