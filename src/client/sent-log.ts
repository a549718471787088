import type { TransportConnection } from '../transport/transport';
import type { OutboxEntry } from './outbox';

/** Compact the log once this many slots at its head are spent (and they are at least half of it). */
const COMPACT_AFTER = 1024;

/**
 * @internal What one connection has written that may not have left the
 * process yet: every frame the client wrote to it (except close), in order,
 * as the outbox entry to send again, or as a count of frames that belong to
 * the connection (auth, pings, channel subscribes, requests, which have their
 * own rules; consecutive ones share one number, so an idle socket's pings
 * never grow it). The transport's `written()` count says how many frames have
 * left; {@link unsent} gives back the plain messages after that point.
 *
 * Made on a connection's first write, only for transports with `written()`
 * (ws, TestTransport): with the WHATWG transport nothing is logged.
 */
export class SentLog<Out> {
  private slots: (OutboxEntry<Out> | number)[] = [];
  /** Slots before `head` have left. */
  private head = 0;
  /** The transport's count at the start of `slots[head]`. */
  private origin = 0;
  /** The connection has ended: the count is final, nothing is added or trimmed any more. */
  private sealed = false;

  constructor(private readonly conn: TransportConnection & { written(): number }) {}

  /** A frame was written: `entry` to send again if it never leaves, `null` for one of the connection's own. */
  add(entry: OutboxEntry<Out> | null): void {
    if (this.sealed) return;
    const slots = this.slots;
    if (entry !== null) {
      slots.push(entry);
      return;
    }
    const last = slots.length - 1;
    const tail = last >= this.head ? slots[last] : undefined;
    if (typeof tail === 'number') slots[last] = tail + 1;
    else slots.push(1);
  }

  /** Forgets what has left (called every so many bytes written, so the log holds about what the socket buffers). */
  trim(): void {
    if (this.sealed) return;
    const slots = this.slots;
    let gone = this.conn.written() - this.origin;
    let head = this.head;
    while (gone > 0 && head < slots.length) {
      const slot = slots[head]!;
      if (typeof slot === 'number' && slot > gone) {
        slots[head] = slot - gone;
        this.origin += gone;
        break;
      }
      const frames = typeof slot === 'number' ? slot : 1;
      gone -= frames;
      this.origin += frames;
      head++;
    }
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, when to compact trades copying for memory only (a spec checks the log stays bounded)
    if (head >= COMPACT_AFTER && head * 2 >= slots.length) {
      this.slots = slots.slice(head);
      head = 0;
    }
    this.head = head;
  }

  /** The connection has ended: takes the transport's last count (while it is still this connection's) and stops. */
  seal(): void {
    this.trim();
    this.sealed = true;
  }

  /** The plain messages never handed to the operating system, oldest first; given once (then empty). */
  unsent(): OutboxEntry<Out>[] {
    if (!this.sealed) this.seal();
    const out: OutboxEntry<Out>[] = [];
    const slots = this.slots;
    for (let i = this.head; i < slots.length; i++) {
      const slot = slots[i]!;
      if (typeof slot !== 'number') out.push(slot);
    }
    this.slots = [];
    this.head = 0;
    return out;
  }
}
