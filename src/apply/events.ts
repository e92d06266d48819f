/**
 * The engine's events as TypeScript types (inferred from events-schema.ts,
 * type-only: emitting an event loads no zod), and the bus views subscribe
 * to. The engine stamps each event with `v`, `seq` and `at` (emitter below);
 * what it passes in is the rest.
 */
import type { z } from 'zod';
import type { EngineEventSchema } from './events-schema.js';

export type EngineEvent = z.infer<typeof EngineEventSchema>;
export type EngineEventType = EngineEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as the engine says it; the emitter adds v, seq and at. */
export type EngineEventInput = DistributiveOmit<EngineEvent, 'v' | 'seq' | 'at'>;

export type EventListener = (event: EngineEvent) => void;

export interface EventBus {
  emit(event: EngineEventInput): void;
  subscribe(listener: EventListener): () => void;
}

/** The bus: every listener gets every event, in order; a listener that throws is dropped, never the run. */
export function createEventBus(now: () => Date): EventBus {
  const listeners = new Set<EventListener>();
  let seq = 0;
  return {
    emit(input) {
      const event = { v: 1, seq: seq++, at: now().toISOString(), ...input } as EngineEvent;
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch {
          listeners.delete(listener);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
