import { Observable, SchedulerLike, asyncScheduler } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import type { SocketEvent } from './events';
import type { Socket } from './socket';

/** Counters of a socket since `metrics()` was subscribed. */
export interface SocketMetrics {
  /** Data messages received. */
  readonly messagesIn: number;
  /** Data messages written. */
  readonly messagesOut: number;
  /** Bytes of data messages received. */
  readonly bytesIn: number;
  /** Bytes of data messages written. */
  readonly bytesOut: number;
  /** Connections opened. */
  readonly opens: number;
  /** Reconnect attempts scheduled. */
  readonly reconnects: number;
  /** Messages dropped, by any reason. */
  readonly drops: number;
  /** Inbound frames that failed to decode. */
  readonly decodeErrors: number;
  /** Connections ended by a heartbeat deadline. */
  readonly heartbeatTimeouts: number;
  /** Messages waiting in the outbox when the snapshot was taken. */
  readonly outboxSize: number;
  /** The last heartbeat round-trip time in ms, if any. */
  readonly lastRtt: number | undefined;
}

/** Options of {@link metrics}. */
export interface MetricsConfig {
  /**
   * Milliseconds between snapshots; 0 emits a snapshot after every event.
   * A last snapshot is emitted when the socket's `events$` completes.
   * @default 1000
   */
  readonly interval?: number;
  /**
   * The scheduler snapshots are timed on.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

/**
 * An Observable of a socket's counters: messages and bytes in and out,
 * opens, reconnects, drops, decode errors, heartbeat timeouts, outbox size and
 * the last round-trip time. Counting starts when it is subscribed, and it
 * observes `events$` only while subscribed.
 *
 * @example
 * ```ts
 * metrics(socket, { interval: 5000 }).subscribe((m) => gauge.set(m.outboxSize));
 * ```
 */
export function metrics(socket: Pick<Socket, 'events$' | 'queued'>, config: MetricsConfig = {}): Observable<SocketMetrics> {
  const { interval = 1000, scheduler = asyncScheduler } = config;
  if (typeof interval !== 'number' || !(interval >= 0) || interval === Infinity) {
    throw new InvalidOptionsError(`metrics: interval must be a non-negative finite number of ms, got ${String(interval)}`);
  }
  return new Observable<SocketMetrics>((subscriber) => {
    let messagesIn = 0;
    let messagesOut = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    let opens = 0;
    let reconnects = 0;
    let drops = 0;
    let decodeErrors = 0;
    let heartbeatTimeouts = 0;
    let lastRtt: number | undefined;
    const snapshot = (): SocketMetrics => ({
      messagesIn,
      messagesOut,
      bytesIn,
      bytesOut,
      opens,
      reconnects,
      drops,
      decodeErrors,
      heartbeatTimeouts,
      outboxSize: socket.queued,
      lastRtt,
    });
    const count = (event: SocketEvent): void => {
      switch (event.type) {
        case 'received':
          messagesIn++;
          bytesIn += event.bytes;
          break;
        case 'sent':
          messagesOut++;
          bytesOut += event.bytes;
          break;
        case 'opened':
          opens++;
          break;
        case 'reconnect-scheduled':
          reconnects++;
          break;
        case 'dropped':
          drops++;
          break;
        case 'decode-error':
          decodeErrors++;
          break;
        case 'heartbeat-timeout':
          heartbeatTimeouts++;
          break;
        case 'rtt':
          lastRtt = event.rtt;
          break;
        default:
          break;
      }
    };
    const ticker =
      interval > 0
        ? scheduler.schedule(function () {
            subscriber.next(snapshot());
            this.schedule(undefined, interval);
          }, interval)
        : undefined;
    const events = socket.events$.subscribe({
      next: (event) => {
        count(event);
        if (interval === 0) subscriber.next(snapshot());
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        ticker?.unsubscribe();
        subscriber.next(snapshot());
        subscriber.complete();
      },
    });
    return () => {
      ticker?.unsubscribe();
      events.unsubscribe();
    };
  });
}
