/**
 * @file The renderer's one typed API client (`ApiClient` from preload/contract.ts) over either front
 * door: Electron's preload bridge (`window.shoebox`) or the headless host's WebSocket. Runs in the
 * renderer.
 *
 * See [Note: One contract, two transports] in preload/contract.ts and [Note: Socket frames] in
 * ./api-socket.ts. Every failed call rejects with an ApiError whose `code` the UI branches on.
 */
import { ApiError } from '../../preload/api-error';
import type { ApiClient, Bridge, EventName, Events, RequestArgs, RequestName, RequestResults } from '../../preload/contract';
import { SocketTransport, type ConnectionState, type SocketTransportOptions } from './api-socket';

export type { ConnectionState } from './api-socket';

/** The typed client plus what the UI needs to know about the transport under it. */
export interface ShoeboxClient extends ApiClient {
  /** Which front door the renderer talks to. */
  readonly transport: 'electron' | 'socket';
  /** The native folder picker (Electron only); null in a browser, where the user types a path. */
  readonly pickFolder: (() => Promise<string | null>) | null;
  connectionState(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

/** What both transports provide. */
interface Transport {
  invoke(method: string, args: unknown): Promise<unknown>;
  listen(listener: (event: string, payload: unknown) => void): () => void;
}

/** Builds the typed client over one transport, with one event subscription fanned out by name. */
function clientOver(
  transport: Transport,
  extra: Pick<ShoeboxClient, 'transport' | 'pickFolder' | 'connectionState' | 'onConnection' | 'close'>,
): ShoeboxClient {
  const listeners = new Map<string, Set<(payload: never) => void>>();
  transport.listen((event, payload) => {
    const set = listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l(payload as never);
      } catch (err) {
        console.error(`shoebox: a listener for "${event}" threw`, err);
      }
    }
  });
  return {
    ...extra,
    call<K extends RequestName>(method: K, args: RequestArgs<K>): Promise<RequestResults[K]> {
      return transport.invoke(method, args) as Promise<RequestResults[K]>;
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  };
}

/** The client over Electron's preload bridge. */
export function createBridgeClient(bridge: Bridge): ShoeboxClient {
  const transport: Transport = {
    async invoke(method, args) {
      let reply: Awaited<ReturnType<Bridge['invoke']>>;
      try {
        reply = await bridge.invoke(method, args);
      } catch (err) {
        throw new ApiError('internal', `"${method}" could not reach the app: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (reply.ok) return reply.result;
      throw ApiError.fromDto(reply.error);
    },
    listen: (listener) => bridge.subscribe(listener),
  };
  return clientOver(transport, {
    transport: 'electron',
    pickFolder: () => bridge.pickFolder(),
    connectionState: () => 'open',
    onConnection: () => () => undefined,
    close: () => undefined,
  });
}

/** The client over the headless host's WebSocket. */
export function createSocketClient(options: SocketTransportOptions): ShoeboxClient {
  const socket = new SocketTransport(options);
  return clientOver(socket, {
    transport: 'socket',
    pickFolder: null,
    connectionState: () => socket.connectionState(),
    onConnection: (listener) => socket.onState(listener),
    close: () => socket.close(),
  });
}

/** The socket URL of the host that served this page: `ws(s)://<host>/api`. */
export function socketUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api`;
}

/** The client for this window: the preload bridge when Electron exposed one, else the host's socket. */
export function createClient(): ShoeboxClient {
  const bridge = (window as unknown as { shoebox?: Bridge }).shoebox;
  if (bridge) return createBridgeClient(bridge);
  return createSocketClient({ url: socketUrl(window.location) });
}

/** A short human message for any error a call can throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const issues = err.issues?.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return issues && !err.message.includes(issues) ? `${err.message} (${issues})` : err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
