/**
 * A reconnect storm, simulated in virtual time: `clients` clients lose their
 * connection at the same instant (t = 0) and reconnect with one backoff
 * strategy; the server accepts at most `capacity` new connections per
 * `window` ms (fixed windows from t = 0) and refuses the rest at once, so a
 * refused client backs off again (attempt + 1, as `reconnect` does).
 *
 * It is a discrete-event simulation of exactly what `reconnect` computes:
 * attempt n of a client waits `backoff(n, previousDelay, random)`, with one
 * seeded random stream drawn in event order. spec/storm.spec.ts checks it
 * against the real operator run on a VirtualTimeScheduler.
 *
 * Run `npx ts-node --transpile-only bench/storm.ts` to print the README table.
 */
import { BackoffStrategy } from '../src/backoff/backoff';
import { constantBackoff } from '../src/backoff/constant-backoff';
import { exponentialBackoff } from '../src/backoff/exponential-backoff';
import { seededRandom } from '../src/backoff/seeded-random';
import { stepBackoff } from '../src/backoff/step-backoff';

/** The storm's parameters. */
export interface StormConfig {
  /** How many clients drop at t = 0. */
  readonly clients: number;
  /** How many connections the server accepts per window; the rest are refused. */
  readonly capacity: number;
  /** The server's rate window and the width of the peak measure, in ms. */
  readonly window: number;
  /** The seed of the random stream the strategies draw from. */
  readonly seed: number;
}

/** What one strategy did in the storm. */
export interface StormResult {
  /** The most attempts (accepted or refused) in any `window` ms interval [t, t + window). */
  readonly peak: number;
  /** When every client was connected again, in ms after the drop. */
  readonly allConnectedAt: number;
  /** All attempts made, accepted and refused. */
  readonly attempts: number;
  /** The most attempts one client needed. */
  readonly maxClientAttempts: number;
}

export const DEFAULT_STORM: StormConfig = { clients: 10_000, capacity: 500, window: 100, seed: 2024 };

/** The strategies of README's storm table. Exponential ones use the default range (1 s doubling to 30 s) unless given. */
export function stormStrategies(initialDelay = 1000): readonly (readonly [string, BackoffStrategy])[] {
  const range = { initialDelay, maxDelay: 30_000 };
  return [
    ['exponential, no jitter', exponentialBackoff({ ...range, jitter: 'none' })],
    ['exponential, full jitter', exponentialBackoff({ ...range, jitter: 'full' })],
    ['exponential, equal jitter', exponentialBackoff({ ...range, jitter: 'equal' })],
    ['exponential, decorrelated jitter', exponentialBackoff({ ...range, jitter: 'decorrelated' })],
    [`constant ${initialDelay} ms`, constantBackoff(initialDelay)],
    ['step (Phoenix table)', stepBackoff([10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000])],
  ];
}

/** A binary min-heap of pending attempts, ordered by time, then by when they were scheduled. */
class Agenda {
  private readonly time: number[] = [];
  private readonly order: number[] = [];
  private readonly client: number[] = [];
  private next = 0;

  get size(): number {
    return this.time.length;
  }

  push(time: number, client: number): void {
    this.time.push(time);
    this.order.push(this.next++);
    this.client.push(client);
    let i = this.time.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the earliest attempt; returns its client, and its time through `at`. */
  pop(at: { time: number }): number {
    at.time = this.time[0]!;
    const client = this.client[0]!;
    const last = this.time.length - 1;
    this.swap(0, last);
    this.time.pop();
    this.order.pop();
    this.client.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < last && this.before(l, m)) m = l;
      if (r < last && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return client;
  }

  private before(a: number, b: number): boolean {
    const ta = this.time[a]!;
    const tb = this.time[b]!;
    return ta < tb || (ta === tb && this.order[a]! < this.order[b]!);
  }

  private swap(a: number, b: number): void {
    [this.time[a], this.time[b]] = [this.time[b]!, this.time[a]!];
    [this.order[a], this.order[b]] = [this.order[b]!, this.order[a]!];
    [this.client[a], this.client[b]] = [this.client[b]!, this.client[a]!];
  }
}

/** The most values of a sorted list that fit in one interval [t, t + width). */
export function peakIn(sortedTimes: readonly number[], width: number): number {
  let peak = 0;
  let from = 0;
  for (let i = 0; i < sortedTimes.length; i++) {
    while (sortedTimes[i]! - sortedTimes[from]! >= width) from++;
    if (i - from + 1 > peak) peak = i - from + 1;
  }
  return peak;
}

/** Runs the storm for one strategy. */
export function simulateStorm(backoff: BackoffStrategy, config: StormConfig = DEFAULT_STORM): StormResult {
  const { clients, capacity, window, seed } = config;
  const random = seededRandom(seed);
  const attempt = new Array<number>(clients).fill(0);
  const previousDelay = new Array<number>(clients).fill(0);
  const accepted = new Map<number, number>();
  const attemptTimes: number[] = [];
  const agenda = new Agenda();
  let allConnectedAt = 0;

  const scheduleNext = (client: number, now: number): void => {
    const n = ++attempt[client]!;
    const delay = backoff(n, previousDelay[client]!, random);
    previousDelay[client] = delay;
    agenda.push(now + delay, client);
  };

  for (let client = 0; client < clients; client++) scheduleNext(client, 0);
  const at = { time: 0 };
  while (agenda.size > 0) {
    const client = agenda.pop(at);
    attemptTimes.push(at.time);
    const slot = Math.floor(at.time / window);
    const taken = accepted.get(slot) ?? 0;
    if (taken < capacity) {
      accepted.set(slot, taken + 1);
      allConnectedAt = at.time;
    } else {
      scheduleNext(client, at.time);
    }
  }
  return {
    peak: peakIn(attemptTimes, window),
    allConnectedAt,
    attempts: attemptTimes.length,
    maxClientAttempts: Math.max(...attempt),
  };
}

/** The storm table, as markdown. */
export function stormTable(config: StormConfig = DEFAULT_STORM, initialDelay = 1000): string {
  const rows = stormStrategies(initialDelay).map(([name, strategy]) => {
    const r = simulateStorm(strategy, config);
    const seconds = (r.allConnectedAt / 1000).toFixed(1);
    return `| ${name} | ${r.peak.toLocaleString('en-US')} | ${seconds} s | ${r.attempts.toLocaleString('en-US')} | ${r.maxClientAttempts} |`;
  });
  return [
    `| strategy (${initialDelay / 1000} s to 30 s where it applies) | peak attempts per ${config.window} ms | all reconnected after | attempts | most by one client |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

if (require.main === module) {
  const { clients, capacity, window, seed } = DEFAULT_STORM;
  const started = process.hrtime.bigint();
  process.stdout.write(
    `${clients.toLocaleString('en-US')} clients drop at t = 0; the server accepts ${capacity} connections per ${window} ms; seed ${seed}.\n\n`,
  );
  for (const initialDelay of [1000, 2000]) process.stdout.write(`${stormTable(DEFAULT_STORM, initialDelay)}\n\n`);
  process.stdout.write(`(simulated in ${Number((process.hrtime.bigint() - started) / 1_000_000n)} ms)\n`);
}
