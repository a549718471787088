import type { TransportConnection } from '../transport/transport';
import type { OutboxEntry } from './outbox';

/** Compact the log once this many slots at its head are spent (and they are at least half of it). */
const COMPACT_AFTER = 1024;

/**
 * @internal What one connection has written that may not have left the
 * process yet: every frame the client wrote to it (except close), in order,
 * as the outbox entry to send again, or `null` for a frame that belongs to
 * the connection (auth, ping, a channel subscribe, a request, which have
 * their own rules). The transport's `written()` count says how many of them
 * have left; {@link unsent} gives back the plain messages after that point.
 *
 * Made only for transports with `written()` (ws, TestTransport): with the
 * WHATWG transport nothing is logged and nothing is handed back.
 */
export class SentLog<Out> {
  private slots: (OutboxEntry<Out> | null)[] = [];
  /** Slots before `head` have left. */
  private head = 0;
  /** The transport's count at slot 0. */
  private origin: number;

  constructor(private readonly conn: TransportConnection & { written(): number }) {
    this.origin = conn.written();
  }

  /** A frame was written: `entry` to send again if it never leaves, `null` for one of the connection's own. */
  add(entry: OutboxEntry<Out> | null): void {
    this.slots.push(entry);
  }

  /** Forgets what has left (called every so many bytes written, so the log holds about what the socket buffers). */
  trim(): void {
    const slots = this.slots;
    const gone = Math.min(this.conn.written() - this.origin, slots.length);
    if (gone > this.head) this.head = gone;
    const head = this.head;
    if (head >= COMPACT_AFTER && head * 2 >= slots.length) {
      this.slots = slots.slice(head);
      this.origin += head;
      this.head = 0;
    }
  }

  /** The connection has ended: the plain messages it never handed to the operating system, oldest first. */
  unsent(): OutboxEntry<Out>[] {
    this.trim();
    const out: OutboxEntry<Out>[] = [];
    const slots = this.slots;
    for (let i = this.head; i < slots.length; i++) {
      const entry = slots[i];
      if (entry !== null && entry !== undefined) out.push(entry);
    }
    this.slots = [];
    this.head = 0;
    return out;
  }
}
