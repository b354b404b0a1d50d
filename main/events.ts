/**
 * @file The in-process event bus: services publish contract events, front doors (IPC, WebSocket, CLI)
 * subscribe and forward them. Typed by the contract's `Events` map.
 */
import { EventEmitter } from 'node:events';
import type { EventName, Events } from '../preload/contract';

/** Publishes one contract event; what services take instead of the whole bus. */
export type Emit = <E extends keyof Events>(event: E, payload: Events[E]) => void;

export interface EventBus {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  /** Subscribes to every event; returns the unsubscribe function. */
  onAny(listener: (event: EventName, payload: Events[EventName]) => void): () => void;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

export function createEventBus(): EventBus {
  const ee = new EventEmitter();
  ee.setMaxListeners(100);
  return {
    emit(event, payload) {
      ee.emit(event, payload);
      ee.emit('*', event, payload);
    },
    onAny(listener) {
      ee.on('*', listener);
      return () => ee.off('*', listener);
    },
    on(event, listener) {
      const l = listener as (p: unknown) => void;
      ee.on(event, l);
      return () => ee.off(event, l);
    },
  };
}
