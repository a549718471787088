import type { Frame } from '../frame';
import type { DropReason, Ticket } from './outbox';

/** What happens to a request that was written when its connection dropped. */
export type InFlightPolicy = 'fail' | 'resend';

/** Options of `socket.request()`. */
export interface RequestOptions {
  /**
   * Milliseconds from subscription to the response before `RequestTimeoutError` (on the socket's scheduler).
   * @default the socket's `requests.timeout` (30000)
   */
  readonly timeout?: number;
  /**
   * A request written to a connection that then dropped is failed with
   * `ConnectionClosedError` (`'fail'`: at most once), or sent again, with the
   * same id, after the reconnect (`'resend'`: at least once).
   * @default the socket's `requests.inFlight` ('fail')
   */
  readonly inFlight?: InFlightPolicy;
}

/** Socket-wide defaults of requests. */
export interface RequestDefaults {
  /**
   * Milliseconds a request waits for its response.
   * @default 30000
   */
  readonly timeout?: number;
  /**
   * See {@link RequestOptions.inFlight}.
   * @default 'fail'
   */
  readonly inFlight?: InFlightPolicy;
}

/**
 * @internal A message awaiting its correlated response: a request, a channel
 * (un)subscription, or an auth message. It is also the ticket of its queue
 * entry: the write queue tells it when it is written or dropped.
 */
export class Pending<In, Out = unknown> implements Ticket {
  /** Written to the current connection (not just queued). */
  written = false;
  /** Settled, timed out or abandoned: a queued copy is skipped, not written. */
  done = false;
  /** Must be sent again when the next connection is ready. */
  resend = false;

  constructor(
    readonly id: number,
    readonly kind: 'request' | 'control' | 'auth',
    /** The message as sent, id included. */
    readonly message: Out,
    readonly frame: Frame & { type: 'text' | 'binary' },
    readonly bytes: number,
    readonly inFlight: InFlightPolicy,
    readonly onResponse: (message: In) => void,
    readonly onFail: (error: unknown) => void,
    private readonly onDropped: (pending: Pending<In, Out>, reason: DropReason) => void,
  ) {}

  sent(): void {
    this.written = true;
  }

  dropped(reason: DropReason): void {
    this.onDropped(this, reason);
  }
}

/** How many abandoned ids are remembered for reporting late responses. */
const ABANDONED_LIMIT = 10_000;

/** @internal The pending requests of one socket, by id. */
export class RequestRegistry<In, Out> {
  private readonly pending = new Map<number | string, Pending<In, Out>>();
  private readonly abandoned = new Set<number | string>();
  private lastId = 0;

  /** A fresh id: numeric, from 1, never reused by this socket. */
  nextId(): number {
    return ++this.lastId;
  }

  get size(): number {
    return this.pending.size;
  }

  add(pending: Pending<In, Out>): void {
    this.pending.set(pending.id, pending);
  }

  /** A response arrived: `true` if it was matched (settled, or reported late through `onLate`). */
  settle(id: number | string, message: In, onLate: (id: number | string) => void): boolean {
    const pending = this.pending.get(id) ?? (typeof id === 'string' ? this.pending.get(Number(id)) : undefined);
    if (pending !== undefined) {
      this.pending.delete(pending.id);
      pending.done = true;
      pending.onResponse(message);
      return true;
    }
    if (this.abandoned.delete(id)) {
      onLate(id);
      return true;
    }
    return false;
  }

  /**
   * Stops waiting for a request (unsubscribed or timed out); a late response to one already written is then
   * reported, unless `report` is false (the socket's own control messages).
   */
  forget(pending: Pending<In, Out>, report = true): void {
    pending.done = true;
    if (this.pending.get(pending.id) !== pending) return;
    this.pending.delete(pending.id);
    if (pending.written && report) {
      if (this.abandoned.size >= ABANDONED_LIMIT) {
        const oldest = this.abandoned.values().next();
        if (!oldest.done) this.abandoned.delete(oldest.value);
      }
      this.abandoned.add(pending.id);
    }
  }

  /**
   * The connection ended: requests written to it fail with `error` (policy
   * 'fail') or wait to be sent again (policy 'resend'); subscribe and auth
   * messages are forgotten (channels and auth are redone on the next open).
   * Requests still queued stay queued.
   */
  connectionLost(error: unknown): void {
    for (const pending of [...this.pending.values()]) {
      if (!pending.written) continue;
      pending.written = false;
      if (pending.kind === 'request' && pending.inFlight === 'resend') {
        pending.resend = true;
        continue;
      }
      this.pending.delete(pending.id);
      pending.done = true;
      if (pending.kind === 'request') pending.onFail(error);
    }
  }

  /** The requests to send again, in id order, before the outbox is flushed. */
  takeResends(): Pending<In, Out>[] {
    const out: Pending<In, Out>[] = [];
    for (const pending of this.pending.values()) {
      if (pending.resend) {
        pending.resend = false;
        out.push(pending);
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** The socket ended: every pending request fails with `error`. */
  failAll(error: unknown): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.abandoned.clear();
    for (const pending of all) {
      pending.done = true;
      pending.onFail(error);
    }
  }
}
