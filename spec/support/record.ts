/**
 * Subscribes to a transport's `events` and records what happens, with
 * promises to await an event or the end. A wait fails at once (with the log)
 * if the stream ends first, so a broken spec fails with a reason instead of
 * timing out.
 */
import type { Observable, Subscription } from 'rxjs';
import type { Frame } from '../../src/frame';
import type { TransportEvent } from '../../src/transport/transport';
import { within } from './peers';

export type End = { readonly kind: 'complete' } | { readonly kind: 'error'; readonly error: unknown };

export interface Recording {
  /** Every event so far, in order. */
  readonly log: TransportEvent[];
  readonly subscription: Subscription;
  /** Resolves when `events` completes or errors. */
  readonly ended: Promise<End>;
  /** Whether `events` has ended. */
  end(): End | undefined;
  /** The first event (already logged or still to come) that matches. */
  waitFor(what: string, predicate: (event: TransportEvent) => boolean): Promise<TransportEvent>;
  /** The open event. */
  opened(): Promise<TransportEvent>;
  /** The `count`-th frame event's frame (1-based), counting from the start. */
  frame(count?: number): Promise<Frame>;
  /** The frames received so far. */
  frames(): Frame[];
  /** Waits for the end and returns the error `events` ended with (fails if it completed). */
  error(): Promise<unknown>;
}

export function record(events: Observable<TransportEvent>): Recording {
  const log: TransportEvent[] = [];
  const waiters: Array<{ predicate: (event: TransportEvent) => boolean; resolve: (event: TransportEvent) => void; reject: (e: Error) => void; what: string }> = [];
  let ending: End | undefined;
  let resolveEnd!: (end: End) => void;
  const ended = new Promise<End>((resolve) => (resolveEnd = resolve));
  const finish = (end: End) => {
    ending = end;
    resolveEnd(end);
    for (const waiter of waiters.splice(0)) {
      waiter.reject(new Error(`events ended (${describeEnd(end)}) before ${waiter.what}; log: ${describeLog(log)}`));
    }
  };
  const subscription = events.subscribe({
    next: (event) => {
      log.push(event);
      for (let i = 0; i < waiters.length; i++) {
        if (waiters[i].predicate(event)) {
          waiters[i].resolve(event);
          waiters.splice(i--, 1);
        }
      }
    },
    error: (error: unknown) => finish({ kind: 'error', error }),
    complete: () => finish({ kind: 'complete' }),
  });

  const waitFor = (what: string, predicate: (event: TransportEvent) => boolean): Promise<TransportEvent> => {
    const found = log.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    if (ending !== undefined) {
      return Promise.reject(new Error(`events ended (${describeEnd(ending)}) before ${what}; log: ${describeLog(log)}`));
    }
    return within(new Promise<TransportEvent>((resolve, reject) => waiters.push({ predicate, resolve, reject, what })), 5000, what);
  };
  const frames = () => log.flatMap((event) => (event.type === 'frame' ? [event.frame] : []));

  return {
    log,
    subscription,
    ended: within(ended, 5000, 'events to end'),
    end: () => ending,
    waitFor,
    opened: () => waitFor('the open event', (event) => event.type === 'open'),
    frame: async (count = 1) => {
      let seen = 0;
      await waitFor(`frame ${count}`, (event) => event.type === 'frame' && ++seen === count);
      return frames()[count - 1];
    },
    frames,
    error: async () => {
      const end = await within(ended, 5000, 'events to error');
      if (end.kind !== 'error') throw new Error(`events completed, expected an error; log: ${describeLog(log)}`);
      return end.error;
    },
  };
}

/** Recordings made for one `describe`: see {@link recorder}. */
export interface Recorder {
  /** Records `events` ({@link record}), keeping the recording to stop. */
  watch(events: Observable<TransportEvent>): Recording;
  /** Unsubscribes every recording made so far (call it from `afterEach`). */
  dispose(): void;
}

/** A fresh {@link Recorder}: one per `describe`, reused (after `dispose()`) by each spec. */
export function recorder(): Recorder {
  const recordings: Recording[] = [];
  return {
    watch: (events) => {
      const recording = record(events);
      recordings.push(recording);
      return recording;
    },
    dispose: () => {
      for (const recording of recordings.splice(0)) recording.subscription.unsubscribe();
    },
  };
}

function describeEnd(end: End): string {
  return end.kind === 'complete' ? 'completed' : `error ${end.error instanceof Error ? end.error.message : String(end.error)}`;
}

function describeLog(log: readonly TransportEvent[]): string {
  return JSON.stringify(
    log.map((event) =>
      event.type === 'frame' ? { frame: event.frame.type, size: 'data' in event.frame && event.frame.data ? event.frame.data.length : 0 } : event,
    ),
  );
}
