/**
 * @file One API WebSocket on the headless host: checks each frame's shape, dispatches it through the
 * router and replies, and closes only this socket when its client breaks the protocol. Runs in main
 * (headless host only); the frame format is [Note: Socket frames] in renderer/src/api-socket.ts.
 *
 * [Note: Host socket frames] Nothing a client sends may stop the host or touch another client:
 * - Protocol errors that `ws` detects close the socket with RFC 6455's code (1009 over
 *   MAX_API_MESSAGE_BYTES, 1007 invalid UTF-8, 1002 unmasked, RSV1, reserved opcode, bare
 *   continuation, control frame over 125 bytes, invalid close code). `ws` does so only when the socket
 *   has an 'error' listener; without one the error is thrown and the process exits, so one is attached
 *   before anything else.
 * - A binary frame closes the socket with 1003 (unsupported data): the API speaks JSON text only.
 * - A text frame that is not JSON, or not a `{ id, method, args? }` object, gets an error reply with
 *   code 'bad-argument' (and the frame's `id` when it had a readable one, else null), and the socket stays
 *   open: a buggy call then fails where the caller can see it instead of dropping every call in flight.
 * Every reply goes through `reply`, which never throws into ws's receiver.
 */
import { z } from 'zod';
import type { RawData, WebSocket } from 'ws';
import { badArgument, type CallOutcome, type Router } from '../api/router';
import type { Log } from '../log';

/**
 * The largest API message the host reads; larger ones close the socket with 1009. The largest request
 * the contract allows is `library:addFolder` or `models:import` with a 4096-unit path, at most 6 bytes a
 * unit once JSON-escaped (24 KiB), plus the envelope; 64 KiB leaves room without letting one client
 * make the host buffer and parse megabytes. Raise it when the contract grows a larger request.
 */
export const MAX_API_MESSAGE_BYTES = 64 * 1024;

/** Close code for a data type the endpoint cannot accept (RFC 6455 §7.4.1). */
const UNSUPPORTED_DATA = 1003;

const RequestId = z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(128)]);
/** One request frame: `args` is checked by the router against the method's own schema. */
const RequestFrame = z.object({ id: RequestId, method: z.string().max(128), args: z.unknown().optional() }).strict();

type RequestIdValue = z.infer<typeof RequestId>;

/** The id of a frame that failed the shape check, when it had a usable one. */
function readableId(frame: unknown): RequestIdValue | null {
  if (typeof frame !== 'object' || frame === null || !('id' in frame)) return null;
  const id = RequestId.safeParse(frame.id);
  return id.success ? id.data : null;
}

const textOf = (data: RawData): string =>
  (Buffer.isBuffer(data) ? data : Buffer.concat(data instanceof ArrayBuffer ? [Buffer.from(data)] : data)).toString('utf8');

/** Serves the API on one accepted WebSocket until it closes. */
export function serveApiSocket(ws: WebSocket, router: Router, log: Log): void {
  ws.on('error', (err) => {
    // ws has already started closing the socket with the matching code; nothing else is affected.
    log.warn('closed an API WebSocket after a protocol error', { err: err.message });
  });

  const reply = (id: RequestIdValue | null, outcome: CallOutcome) => {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify({ id, ...outcome });
    } catch (err) {
      log.error('an API result could not be serialised', { err });
      text = JSON.stringify({ id, ok: false, error: { code: 'internal', message: 'The result could not be serialised' } });
    }
    ws.send(text);
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(UNSUPPORTED_DATA, 'API requests are JSON text frames');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(textOf(data));
    } catch {
      reply(null, { ok: false, error: { code: 'bad-argument', message: 'Frame is not JSON' } });
      return;
    }
    const frame = RequestFrame.safeParse(raw);
    if (!frame.success) {
      reply(readableId(raw), { ok: false, error: badArgument('Frame is not an API request { id, method, args? }', frame.error) });
      return;
    }
    const { id, method, args } = frame.data;
    router.call(method, args).then(
      (outcome) => reply(id, outcome),
      (err: unknown) => {
        log.error('API call failed outside its handler', { err, method });
        reply(id, { ok: false, error: { code: 'internal', message: 'Internal error' } });
      },
    );
  });
}
