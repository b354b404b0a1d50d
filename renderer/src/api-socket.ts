/**
 * @file The headless host's transport: the contract's requests and events over one WebSocket, with
 * reconnection. Runs in the renderer (browser); no DOM beyond the WebSocket API.
 *
 * [Note: Socket frames] Client → `{"id":n,"method":"photos:page","args":{…}}`; server →
 * `{"id":n,"ok":true,"result":…}` or `{"id":n,"ok":false,"error":{code,message,issues?}}`; pushed events
 * `{"event":"jobs:progress","payload":…}`. Authentication is the HttpOnly cookie the host set when the
 * page was loaded with `?token=`, so the socket sends nothing itself. The host (main/host/) speaks the
 * other side of this.
 *
 * A call made while the socket is down waits for the next connection (up to `connectWaitMs`); a call
 * already sent when the socket drops fails at once with an `unavailable` ApiError, because the host
 * may or may not have run it and only the caller knows whether repeating it is safe.
 */
import { ApiError } from '../../preload/api-error';
import type { ApiErrorCode, ApiErrorDto } from '../../preload/contract';

/** Where the transport stands; the UI shows a banner while it is not 'open'. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** The part of the browser's WebSocket this transport uses (a fake one in unit tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketTransportOptions {
  /** `ws://host/api` or `wss://host/api`. */
  url: string;
  /** Makes a socket; the browser's WebSocket by default. */
  createSocket?: (url: string) => SocketLike;
  /** First reconnect delay; doubles each failed attempt up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a call waits for a connection before it fails. */
  connectWaitMs?: number;
}

interface InFlight {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Waiting extends InFlight {
  frame: { id: number; method: string; args: unknown };
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;
/** Every error code of the contract: a Record, so a code added there fails to compile here until it is listed. */
const ERROR_CODES: Readonly<Record<ApiErrorCode, true>> = {
  'bad-argument': true,
  'unknown-method': true,
  'not-found': true,
  conflict: true,
  unavailable: true,
  unauthorized: true,
  cancelled: true,
  internal: true,
};
const isErrorCode = (code: unknown): code is ApiErrorCode => typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);

/** Turns whatever the server sent as `error` into an ApiError, tolerating a malformed one. */
export function errorFromFrame(error: unknown, method: string): ApiError {
  if (error && typeof error === 'object') {
    const e = error as Partial<ApiErrorDto>;
    const code: ApiErrorCode = isErrorCode(e.code) ? e.code : 'internal';
    const message = typeof e.message === 'string' && e.message ? e.message : `"${method}" failed`;
    const issues = Array.isArray(e.issues)
      ? e.issues.filter((i) => i && typeof i.path === 'string' && typeof i.message === 'string')
      : undefined;
    return ApiError.fromDto(issues ? { code, message, issues } : { code, message });
  }
  return new ApiError('internal', `"${method}" failed with an unreadable error`);
}

/** One WebSocket to the headless host, reconnecting with exponential backoff. */
export class SocketTransport {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private state: ConnectionState = 'connecting';
  private readonly inFlight = new Map<number, InFlight>();
  private readonly waiting = new Set<Waiting>();
  private readonly eventListeners = new Set<(event: string, payload: unknown) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly createSocket: (url: string) => SocketLike;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly connectWaitMs: number;

  constructor(private readonly options: SocketTransportOptions) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.connectWaitMs = options.connectWaitMs ?? 15_000;
    this.connect();
  }

  /** Sends one request; resolves with its result or rejects with an ApiError. */
  invoke(method: string, args: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new ApiError('unavailable', `The connection to Shoebox was closed; "${method}" was not sent.`));
    const frame = { id: this.nextId++, method, args };
    return new Promise((resolve, reject) => {
      if (this.socket && this.socket.readyState === OPEN) {
        this.send(frame, { method, resolve, reject });
        return;
      }
      const waiting: Waiting = {
        method,
        resolve,
        reject,
        frame,
        timer: setTimeout(() => {
          this.waiting.delete(waiting);
          reject(
            new ApiError(
              'unavailable',
              `Shoebox is not reachable: no connection to ${this.options.url} within ${Math.round(this.connectWaitMs / 1000)} s ("${method}" was not sent). Is the host still running?`,
            ),
          );
        }, this.connectWaitMs),
      };
      this.waiting.add(waiting);
    });
  }

  /** Listens to every pushed event. */
  listen(listener: (event: string, payload: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Listens to connection changes. */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  /** Closes for good: pending calls fail, no reconnect. */
  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'client closed');
    this.failInFlight('The connection to Shoebox was closed');
    for (const w of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new ApiError('unavailable', `The connection to Shoebox was closed; "${w.method}" was not sent.`));
    }
    this.waiting.clear();
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }

  private connect(): void {
    this.reconnectTimer = null;
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempts = 0;
      this.setState('open');
      for (const w of [...this.waiting]) {
        this.waiting.delete(w);
        clearTimeout(w.timer);
        this.send(w.frame, w);
      }
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.onFrame(ev.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnection happens there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failInFlight('The connection to Shoebox dropped');
      if (!this.closed) this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    const base = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** this.attempts);
    this.attempts++;
    // Up to 20 % jitter so several windows do not reconnect in lockstep.
    const delay = Math.round(base * (0.8 + Math.random() * 0.2));
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private send(frame: { id: number; method: string; args: unknown }, call: InFlight): void {
    this.inFlight.set(frame.id, { method: call.method, resolve: call.resolve, reject: call.reject });
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch (err) {
      this.inFlight.delete(frame.id);
      call.reject(new ApiError('internal', `Could not send "${call.method}": ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  private failInFlight(why: string): void {
    const calls = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const c of calls)
      c.reject(new ApiError('unavailable', `${why} before "${c.method}" was answered; it may or may not have run. Try again.`));
  }

  private onFrame(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      console.warn('shoebox: ignoring a socket frame that is not JSON');
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    const f = frame as { id?: unknown; ok?: unknown; result?: unknown; error?: unknown; event?: unknown; payload?: unknown };
    if (typeof f.id === 'number') {
      const call = this.inFlight.get(f.id);
      if (!call) return;
      this.inFlight.delete(f.id);
      if (f.ok === true) call.resolve(f.result);
      else call.reject(errorFromFrame(f.error, call.method));
      return;
    }
    if (typeof f.event === 'string') {
      for (const l of this.eventListeners) {
        try {
          l(f.event, f.payload);
        } catch (err) {
          console.error(`shoebox: a listener for "${f.event}" threw`, err);
        }
      }
    }
  }
}
