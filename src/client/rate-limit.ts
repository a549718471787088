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

/** @internal A token bucket on the scheduler's clock: tokens are computed when asked, no timer runs. */
export class TokenBucket<Out> {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly costOf: (message: Out) => number;

  constructor(options: RateLimitOptions<Out>, private readonly scheduler: SchedulerLike) {
    const { capacity = 10, refillPerSecond = 10, cost = () => 1 } = options;
    if (typeof capacity !== 'number' || !(capacity > 0) || capacity === Infinity) {
      throw new InvalidOptionsError(`options.rateLimit.capacity must be a positive finite number, got ${String(capacity)}`);
    }
    if (typeof refillPerSecond !== 'number' || !(refillPerSecond > 0) || refillPerSecond === Infinity) {
      throw new InvalidOptionsError(`options.rateLimit.refillPerSecond must be a positive finite number, got ${String(refillPerSecond)}`);
    }
    if (typeof cost !== 'function') throw new InvalidOptionsError(`options.rateLimit.cost must be a function, got ${typeof cost}`);
    this.capacity = capacity;
    this.perMs = refillPerSecond / 1000;
    this.costOf = cost;
    this.tokens = capacity;
    this.last = scheduler.now();
  }

  /** The cost of a message, checked. */
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

  /** Takes `cost` tokens if there are enough. */
  tryTake(cost: number): boolean {
    this.refill();
    // A tolerance for floating-point refill arithmetic.
    if (this.tokens + 1e-9 < cost) return false;
    this.tokens = Math.max(0, this.tokens - cost);
    return true;
  }

  /** Gives back tokens taken for a message that could not be written after all. */
  refund(cost: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + cost);
  }

  /** Milliseconds until `cost` tokens are available (0 if they are now). */
  waitFor(cost: number): number {
    this.refill();
    const missing = cost - this.tokens;
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.perMs - 1e-9);
  }
}
