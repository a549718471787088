import type { SchedulerLike } from 'rxjs';
import { InvalidOptionsError } from '../errors';

/**
 * A token bucket on outgoing messages. Messages over the limit wait in the
 * outbox, in order, counted against its bounds; nothing is reordered or
 * dropped silently. Auth messages and heartbeat pings are not limited.
 */
export interface RateLimitOptions<Out> {
  /**
   * Tokens the bucket holds when full: the largest burst.
   * @default 10
   */
  readonly capacity?: number;
  /**
   * Tokens added per second, continuously.
   * @default 10
   */
  readonly refillPerSecond?: number;
  /**
   * The tokens a message costs, e.g. more for a subscription than for a
   * query. Must be at most `capacity`.
   * @default () => 1
   */
  readonly cost?: (message: Out) => number;
}

/** @internal One socket's limiter, as the write queue uses it. */
export interface Limiter<Out> {
  /** The cost of a message, checked. */
  cost(message: Out): number;
  /** Takes `cost` tokens if there are enough. */
  tryTake(cost: number): boolean;
  /** Gives back tokens taken for a message that could not be written after all. */
  refund(cost: number): void;
  /** Milliseconds until `cost` tokens are available (0 if they are now). */
  waitFor(cost: number): number;
}

/**
 * A rate limit for `connect({ rateLimit })`, made by {@link tokenBucket}.
 * Each socket given it runs its own bucket on its own scheduler.
 */
export interface RateLimit<Out> {
  /** The kind of limit: `'token-bucket'`, made by {@link tokenBucket}. */
  readonly kind: 'token-bucket';
  /** The options it was made with, defaults applied. */
  readonly options: Readonly<Required<RateLimitOptions<Out>>>;
  /** @internal Starts one socket's limiter on the socket's scheduler. */
  readonly start: (scheduler: SchedulerLike) => Limiter<Out>;
}

/** @internal Whether `value` was made by {@link tokenBucket} (or is a rate limit like it). */
export function isRateLimit(value: unknown): value is RateLimit<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { start?: unknown }).start === 'function';
}

const positive = (name: string, value: unknown): void => {
  if (typeof value !== 'number' || !(value > 0) || value === Infinity) {
    throw new InvalidOptionsError(`options.rateLimit.${name} must be a positive finite number, got ${String(value)}`);
  }
};

/**
 * A token bucket on outgoing messages, for `connect({ rateLimit })`: up to
 * `capacity` messages at once, then `refillPerSecond`, on the socket's
 * scheduler clock (no timer runs while tokens are free). Messages over the
 * limit wait in the outbox in order; auth messages and pings are not limited.
 * Only sockets that use it carry its code.
 *
 * @throws InvalidOptionsError when `capacity` or `refillPerSecond` is not a positive finite number, or `cost` is not a function.
 * @example
 * ```ts
 * import { connect, jsonRpc, tokenBucket } from 'rxnova';
 *
 * const socket = connect('wss://example.com/rpc', {
 *   protocol: jsonRpc(),
 *   rateLimit: tokenBucket({ capacity: 20, refillPerSecond: 5 }),
 * });
 * ```
 */
export function tokenBucket<Out = unknown>(options: RateLimitOptions<Out> = {}): RateLimit<Out> {
  const { capacity = 10, refillPerSecond = 10, cost = () => 1 } = options;
  positive('capacity', capacity);
  positive('refillPerSecond', refillPerSecond);
  if (typeof cost !== 'function') throw new InvalidOptionsError(`options.rateLimit.cost must be a function, got ${typeof cost}`);
  return {
    kind: 'token-bucket',
    options: { capacity, refillPerSecond, cost },
    start: (scheduler) => new TokenBucket(capacity, refillPerSecond / 1000, cost, scheduler),
  };
}

/** A token bucket on the scheduler's clock: tokens are computed when asked, no timer runs. */
class TokenBucket<Out> implements Limiter<Out> {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    private readonly costOf: (message: Out) => number,
    private readonly scheduler: SchedulerLike,
  ) {
    this.tokens = capacity;
    this.last = scheduler.now();
  }

  cost(message: Out): number {
    const cost = this.costOf(message);
    if (typeof cost !== 'number' || !(cost >= 0) || cost > this.capacity) {
      throw new InvalidOptionsError(`options.rateLimit.cost returned ${String(cost)}: it must be a number from 0 to the capacity ${this.capacity}`);
    }
    return cost;
  }

  private refill(): void {
    const now = this.scheduler.now();
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
      this.last = now;
    }
  }

  tryTake(cost: number): boolean {
    this.refill();
    // A tolerance for floating-point refill arithmetic.
    if (this.tokens + 1e-9 < cost) return false;
    this.tokens = Math.max(0, this.tokens - cost);
    return true;
  }

  refund(cost: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + cost);
  }

  waitFor(cost: number): number {
    this.refill();
    const missing = cost - this.tokens;
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.perMs - 1e-9);
  }
}
