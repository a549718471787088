import { Observable, SchedulerLike, Subject } from 'rxjs';
import type { SocketEvent } from './events';

/** A socket event before its `time` is stamped. */
export type EventInput = SocketEvent extends infer E ? (E extends SocketEvent ? Omit<E, 'time'> : never) : never;

/**
 * @internal The socket's `events$`: the subject is made when `events$` is
 * first read, so an unobserved socket carries none, and `observed` is the one
 * cheap check the message path makes before building an event.
 */
export class Telemetry {
  private subject: Subject<SocketEvent> | undefined = undefined;
  private ended = false;

  constructor(private readonly scheduler: SchedulerLike) {}

  get events$(): Observable<SocketEvent> {
    if (this.subject === undefined) {
      this.subject = new Subject<SocketEvent>();
      if (this.ended) this.subject.complete();
    }
    return this.subject.asObservable();
  }

  /** Whether anybody listens: check it before building an event on a hot path. */
  get observed(): boolean {
    return this.subject !== undefined && this.subject.observed;
  }

  /** Stamps `time` from the scheduler and emits (nothing when nobody listens). */
  emit(event: EventInput): void {
    const subject = this.subject;
    if (subject !== undefined && subject.observed) subject.next({ ...event, time: this.scheduler.now() } as SocketEvent);
  }

  /** Reports a throw from user code (a callback, predicate or adapter): never rethrown. */
  userError(source: string, error: unknown): void {
    this.emit({ type: 'callback-error', source, error });
  }

  complete(): void {
    this.ended = true;
    this.subject?.complete();
  }
}
