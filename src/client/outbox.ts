import type { SchedulerLike, Subscription } from 'rxjs';
import { InvalidOptionsError, OutboxFullError } from '../errors';
import type { Frame } from '../frame';
import { checkDuration } from '../time';

/**
 * What a full outbox does with one more message: `'error'` refuses it with
 * {@link OutboxFullError}; `'drop-oldest'` drops the oldest messages until it
 * fits; `'drop-newest'` drops the new message. Dropped messages are always
 * reported (reason `'overflow'`), never lost silently.
 */
export type OverflowPolicy = 'error' | 'drop-oldest' | 'drop-newest';

/** Limits of the outbox: the bounded buffer that holds messages while the socket is down. */
export interface OutboxConfig {
  /**
   * The most messages it holds (a positive integer, or `Infinity`).
   * @default 10000
   */
  readonly maxMessages?: number;
  /**
   * The most payload bytes it holds (text counted as UTF-8; above 0, or `Infinity`).
   * @default 16777216 (16 MiB)
   */
  readonly maxBytes?: number;
  /**
   * Milliseconds a message may wait before it is dropped (reason `'expired'`) instead of sent; above 0.
   * @default Infinity (no expiry)
   */
  readonly ttl?: number;
  /**
   * What happens to a message that does not fit.
   * @default 'error'
   */
  readonly overflow?: OverflowPolicy;
}

/**
 * What a queued message tells its sender: it was written, or it was
 * dropped. `done` means the sender no longer waits (a request that timed out
 * or was unsubscribed): the entry is then skipped, not written, not reported.
 */
export interface Ticket {
  readonly done: boolean;
  sent(): void;
  dropped(reason: DropReason): void;
  /** Whether its message, written but never handed to the operating system when its connection died, is sent again (a receipt: yes; a request has its own rule). */
  readonly requeue?: boolean;
}

/** One queued message and its encoded frame. */
export interface OutboxEntry<T> {
  readonly message: T;
  /** @internal The sender waiting for this message's fate, if any. */
  readonly ticket?: Ticket | undefined;
  /** @internal Its rate-limit cost, computed once when it was accepted. */
  readonly cost?: number;
  /** The encoded frame (text or binary). */
  readonly frame: Frame;
  /** Its payload size in bytes, counted against `maxBytes`. */
  readonly bytes: number;
  /** The scheduler time at which it expires; `Infinity` without a ttl. */
  readonly expiresAt: number;
}

/** Why a message left the outbox without being written. */
export type DropReason = 'overflow' | 'expired' | 'closed';

/** Default {@link OutboxConfig.maxMessages}. */
export const DEFAULT_OUTBOX_MAX_MESSAGES = 10_000;
/** Default {@link OutboxConfig.maxBytes}: 16 MiB. */
export const DEFAULT_OUTBOX_MAX_BYTES = 16 * 1024 * 1024;

const POLICIES: readonly OverflowPolicy[] = ['error', 'drop-oldest', 'drop-newest'];
/** Compact the backing array once this many slots at its head are spent (and they are at least half of it). */
const COMPACT_AFTER = 1024;

function checkLimit(option: string, value: unknown, integer: boolean): number {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value <= 0 ||
    (integer && value !== Infinity && !Number.isInteger(value))
  ) {
    throw new InvalidOptionsError(
      `outbox ${option} must be ${integer ? 'a positive integer' : 'a number above 0'} or Infinity, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * The bounded send buffer: a FIFO of encoded messages with limits by count
 * and by bytes, an overflow policy, and optional expiry. A data structure
 * only: the client decides when to flush it.
 *
 * Push and shift are O(1) amortised (an array with a head index, compacted
 * now and then). Expiry uses a single scheduler action armed for the earliest
 * deadline: each expired message is reported through `onDrop(entry,
 * 'expired')` at its expiry time and is never written.
 */
/**
 * @internal An outbox config with every default applied and every limit checked.
 * @throws InvalidOptionsError for a limit or ttl that is not above 0 (or NaN), a fractional `maxMessages`, or an unknown overflow policy.
 */
export function resolveOutboxConfig(config: OutboxConfig | undefined): Required<OutboxConfig> {
  if (config !== undefined && (typeof config !== 'object' || config === null)) {
    throw new InvalidOptionsError(`outbox must be an object, got ${config === null ? 'null' : typeof config}`);
  }
  const { maxMessages = DEFAULT_OUTBOX_MAX_MESSAGES, maxBytes = DEFAULT_OUTBOX_MAX_BYTES, ttl = Infinity, overflow = 'error' } = config ?? {};
  if (!POLICIES.includes(overflow)) {
    throw new InvalidOptionsError(
      `outbox overflow must be 'error', 'drop-oldest' or 'drop-newest', got ${JSON.stringify(overflow) ?? String(overflow)}`,
    );
  }
  return {
    maxMessages: checkLimit('maxMessages', maxMessages, true),
    maxBytes: checkLimit('maxBytes', maxBytes, false),
    ttl: checkDuration('outbox ttl', ttl, { infinity: true }),
    overflow,
  };
}

export class Outbox<T> {
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly ttl: number;
  private readonly overflow: OverflowPolicy;
  /** Entries live in `items[head..]`; slots before `head` are spent. */
  private items: (OutboxEntry<T> | undefined)[] = [];
  private head = 0;
  private byteCount = 0;
  /** Whether `expiresAt` never decreases from head to tail, so expired entries form a prefix. */
  private ordered = true;
  private timer: Subscription | null = null;
  private timerAt = Infinity;
  private disposed = false;

  /**
   * @param config the limits; `undefined` takes every default.
   * @param scheduler where expiry is scheduled, and the clock of `expiresAt`.
   * @param onDrop told of every message that leaves without being written, with the reason.
   * @throws InvalidOptionsError for a limit or ttl that is not above 0 (or NaN), a fractional `maxMessages`, or an unknown overflow policy.
   */
  constructor(
    config: OutboxConfig | undefined,
    private readonly scheduler: SchedulerLike,
    private readonly onDrop: (entry: OutboxEntry<T>, reason: DropReason) => void,
  ) {
    ({ maxMessages: this.maxMessages, maxBytes: this.maxBytes, ttl: this.ttl, overflow: this.overflow } = resolveOutboxConfig(config));
  }

  /** How many messages it holds. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** How many payload bytes it holds. */
  get bytes(): number {
    return this.byteCount;
  }

  /**
   * Queues a message at the tail, applying the overflow policy when it does
   * not fit: `'error'` throws {@link OutboxFullError} and accepts nothing;
   * `'drop-oldest'` drops (and reports) the oldest messages until it fits;
   * `'drop-newest'` reports the new message dropped and returns. A message
   * larger than `maxBytes` on its own never fits: `'error'` throws, the drop
   * policies report it dropped.
   * @param ttl this message's ttl in ms, overriding the configured one (above 0, or `Infinity`).
   * @throws OutboxFullError (overflow `'error'` only); InvalidOptionsError for a bad `bytes` or `ttl`.
   */
  push(message: T, frame: Frame, bytes: number, ttl?: number, ticket?: Ticket, cost?: number): void {
    if (typeof bytes !== 'number' || !(bytes >= 0) || bytes === Infinity) {
      throw new InvalidOptionsError(`outbox message size must be a finite number of bytes, at least 0, got ${String(bytes)}`);
    }
    const life = ttl === undefined ? this.ttl : checkDuration('outbox ttl', ttl, { infinity: true });
    const entry: OutboxEntry<T> = {
      message,
      ticket,
      cost,
      frame,
      bytes,
      expiresAt: life === Infinity ? Infinity : this.scheduler.now() + life,
    };
    if (this.size >= this.maxMessages || this.byteCount + bytes > this.maxBytes) {
      if (this.overflow === 'error') throw this.fullError(bytes);
      if (this.overflow === 'drop-newest' || bytes > this.maxBytes) {
        this.onDrop(entry, 'overflow');
        return;
      }
      // drop-oldest: make room first, report once the queue is consistent again.
      const dropped: OutboxEntry<T>[] = [];
      while (this.size > 0 && (this.size >= this.maxMessages || this.byteCount + bytes > this.maxBytes)) {
        dropped.push(this.removeHead());
      }
      this.append(entry);
      for (const old of dropped) this.onDrop(old, 'overflow');
      return;
    }
    this.append(entry);
  }

  /**
   * Puts an entry back at the head (a message that was shifted but could not
   * be written), without overflow checks.
   */
  unshift(entry: OutboxEntry<T>): void {
    const first = this.items[this.head];
    if (first !== undefined && entry.expiresAt > first.expiresAt) this.ordered = false;
    if (this.head > 0) this.items[--this.head] = entry;
    else this.items.unshift(entry);
    this.byteCount += entry.bytes;
    if (entry.expiresAt !== Infinity) this.arm(entry.expiresAt);
  }

  /** The oldest entry that has not expired, without removing it. Expired entries met on the way are dropped and reported. */
  peek(): OutboxEntry<T> | undefined {
    this.dropExpiredHead();
    return this.items[this.head];
  }

  /**
   * Removes the head that `peek()` just returned, with no second expiry check:
   * what was peeked is what is removed, so nothing behind it can be lost.
   */
  pop(): void {
    if (this.size > 0) this.removeHead();
  }

  /** Removes and returns the oldest entry that has not expired. Expired entries met on the way are dropped and reported. */
  shift(): OutboxEntry<T> | undefined {
    this.dropExpiredHead();
    return this.size > 0 ? this.removeHead() : undefined;
  }

  /** Empties the outbox, reporting every entry (oldest first) with `reason`. */
  clear(reason: DropReason): void {
    const items = this.items;
    const head = this.head;
    this.reset();
    for (let i = head; i < items.length; i++) this.onDrop(items[i] as OutboxEntry<T>, reason);
  }

  /** Cancels the expiry timer; later, expired entries are still skipped by `peek` and `shift`. Entries are kept (call `clear` to report them). */
  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
  }

  private fullError(bytes: number): OutboxFullError {
    const limit =
      bytes > this.maxBytes
        ? `maxBytes ${this.maxBytes}, and the message alone is ${bytes} bytes`
        : this.size >= this.maxMessages
          ? `maxMessages ${this.maxMessages}`
          : `maxBytes ${this.maxBytes}, and the message is ${bytes} bytes`;
    return new OutboxFullError(this.size, this.byteCount, limit);
  }

  private append(entry: OutboxEntry<T>): void {
    if (this.ordered && this.size > 0 && entry.expiresAt < (this.items[this.items.length - 1] as OutboxEntry<T>).expiresAt) {
      this.ordered = false;
    }
    this.items.push(entry);
    this.byteCount += entry.bytes;
    if (entry.expiresAt !== Infinity) this.arm(entry.expiresAt);
  }

  private removeHead(): OutboxEntry<T> {
    const entry = this.items[this.head] as OutboxEntry<T>;
    this.items[this.head++] = undefined;
    this.byteCount -= entry.bytes;
    // Stryker disable ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator,BlockStatement,CallExpression: equivalent, resetting an emptied array and compacting only bound memory (a spec checks it stays bounded)
    if (this.head === this.items.length) {
      this.reset();
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    // Stryker restore all
    return entry;
  }

  private reset(): void {
    this.items = [];
    this.head = 0;
    this.byteCount = 0;
    this.ordered = true;
    this.cancelTimer();
  }

  private dropExpiredHead(): void {
    let entry = this.items[this.head];
    if (entry === undefined || entry.expiresAt === Infinity) return;
    const now = this.scheduler.now();
    while (entry !== undefined && entry.expiresAt <= now) {
      this.onDrop(this.removeHead(), 'expired');
      entry = this.items[this.head];
    }
  }

  private arm(at: number): void {
    if (this.disposed || at >= this.timerAt) return;
    this.cancelTimer();
    this.timerAt = at;
    this.timer = this.scheduler.schedule(() => this.sweep(), Math.max(0, at - this.scheduler.now()));
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      this.timer.unsubscribe();
      this.timer = null;
    }
    this.timerAt = Infinity;
  }

  /** Drops every expired entry (reporting each, oldest first) and re-arms for the earliest deadline left. */
  private sweep(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.scheduler.now();
    let expired: OutboxEntry<T>[] | undefined;
    if (this.ordered) {
      let entry = this.items[this.head];
      while (entry !== undefined && entry.expiresAt <= now) {
        (expired ??= []).push(this.removeHead());
        entry = this.items[this.head];
      }
    } else {
      const kept: OutboxEntry<T>[] = [];
      let ordered = true;
      let last = -Infinity;
      for (let i = this.head; i < this.items.length; i++) {
        const entry = this.items[i] as OutboxEntry<T>;
        if (entry.expiresAt <= now) {
          (expired ??= []).push(entry);
          this.byteCount -= entry.bytes;
        } else {
          if (entry.expiresAt < last) ordered = false;
          last = entry.expiresAt;
          kept.push(entry);
        }
      }
      this.items = kept;
      this.head = 0;
      this.ordered = ordered;
    }
    this.arm(this.earliest());
    if (expired !== undefined) for (const entry of expired) this.onDrop(entry, 'expired');
  }

  private earliest(): number {
    if (this.ordered) {
      // The head expires first; Infinity when it never does (then nothing after it does either).
      return this.items[this.head]?.expiresAt ?? Infinity;
    }
    let min = Infinity;
    for (let i = this.head; i < this.items.length; i++) {
      const at = (this.items[i] as OutboxEntry<T>).expiresAt;
      if (at < min) min = at;
    }
    return min;
  }
}
