import { Subject } from 'rxjs';
import { InvalidOptionsError } from '../errors';
import type { Pending } from './requests';

/** @internal One subscribed topic and params, shared by all its subscribers. */
export class ChannelEntry {
  readonly subject = new Subject<unknown>();
  /** Subscribers of this topic and params. */
  refs = 0;
  /** The connection number its subscribe message was last sent on (0: never). */
  sentOn = 0;
  /** Its last subscribe message, while it may still wait unwritten in the control lane. */
  queued: Pending<unknown, unknown> | undefined = undefined;
  constructor(
    readonly key: string,
    readonly topic: string,
    readonly params: unknown,
  ) {}
}

/** @internal The live channels of one socket, by key (topic and params) and by topic (for routing). */
export class ChannelRegistry {
  private readonly entries = new Map<string, ChannelEntry>();
  private readonly byTopic = new Map<string, ChannelEntry[]>();

  get size(): number {
    return this.entries.size;
  }

  /** The entry for a topic and params (`key` from {@link channelKey}), made if new (`created` true). */
  acquire(key: string, topic: string, params: unknown): { entry: ChannelEntry; created: boolean } {
    const existing = this.entries.get(key);
    if (existing !== undefined) return { entry: existing, created: false };
    const entry = new ChannelEntry(key, topic, params);
    this.entries.set(key, entry);
    const list = this.byTopic.get(topic);
    if (list === undefined) this.byTopic.set(topic, [entry]);
    else list.push(entry);
    return { entry, created: true };
  }

  /** Removes an entry (its last subscriber left, or the server refused it). */
  remove(entry: ChannelEntry): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    const list = this.byTopic.get(entry.topic);
    if (list === undefined) return;
    const rest = list.filter((e) => e !== entry);
    if (rest.length === 0) this.byTopic.delete(entry.topic);
    else this.byTopic.set(entry.topic, rest);
  }

  /** Every live entry, in subscription order. */
  all(): ChannelEntry[] {
    return [...this.entries.values()];
  }

  /** The entries of a topic, or `undefined`. */
  ofTopic(topic: string): readonly ChannelEntry[] | undefined {
    return this.byTopic.get(topic);
  }

  /** Errors the subscribers of a topic and forgets the topic. */
  fail(topic: string, error: unknown): boolean {
    const list = this.byTopic.get(topic);
    if (list === undefined) return false;
    for (const entry of [...list]) {
      this.remove(entry);
      // The server ended it: its subscribers leaving must not send an unsubscribe.
      entry.sentOn = 0;
      entry.subject.error(error);
    }
    return true;
  }

  /** The socket ended: complete (after close()) or error every channel. */
  endAll(error?: unknown): void {
    const all = this.all();
    this.entries.clear();
    this.byTopic.clear();
    for (const entry of all) {
      if (error === undefined) entry.subject.complete();
      else entry.subject.error(error);
    }
  }
}

/**
 * @internal What names a channel: its topic, and its params as JSON with sorted keys.
 * @throws InvalidOptionsError for params JSON cannot represent (a `BigInt`, a circular object).
 */
export function channelKey(topic: string, params: unknown): string {
  if (params === undefined) return topic;
  try {
    return `${topic}\u0000${stableStringify(params)}`;
  } catch (cause) {
    throw new InvalidOptionsError(`channel(topic, params): params must be JSON data, which names the channel; JSON.stringify failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * JSON with sorted object keys, so `{ a, b }` and `{ b, a }` name the same
 * channel. The copy has no prototype, so an own `__proto__` key (as
 * `JSON.parse` makes) stays a key and keeps its channel apart from `{}`.
 */
function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(item).sort()) sorted[key] = (item as Record<string, unknown>)[key];
    return sorted;
  });
}
