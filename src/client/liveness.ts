import type { TransportConnection } from '../transport/transport';

/** The slowest link the heartbeat waits for, in bytes per millisecond: 64 kbit/s. */
const SLOWEST_LINK = 8;
/** How many unanswered pings' marks are kept (time and bytes each). */
const MAX_MARKS = 2 * 16;

/**
 * @internal Whether a connection whose ping has gone unanswered may still be
 * alive, because the ping waits behind data this side sent before it: the
 * rule behind the heartbeat's `extend` hook, for one connection. It looks at
 * the transport's counters at each ping and at each deadline with no sign of
 * life (never per message), and is made at the first ping.
 *
 * - **Queued ahead.** What was handed over between the last pong (which
 *   proves everything before its ping arrived) and the ping may still be
 *   queued ahead of it, in the socket or in the operating system, which the
 *   socket cannot see: the ping gets the time that data needs on a 64 kbit
 *   link, at most `stallTimeout`.
 * - **A moving backlog.** While the socket's own send buffer holds a
 *   backlog, the operating system's is full too, and the link is judged by
 *   that backlog: alive while it moves (the operating system takes a slow
 *   link's bytes in large steps, seconds or minutes apart), dead once it has
 *   not moved for `stallTimeout`. A write completing (`bufferedAmount` falls)
 *   and the operating system taking part of the one in progress (the
 *   transport's `writing` changes) both count as moving.
 *
 * Otherwise (nothing queued ahead: an idle link) the deadline stands, so a
 * silent peer is found within `interval + timeout`.
 */
export class Liveness {
  /** The transport's `bytesSent` at the last look. */
  private sent = 0;
  /** How much had left the socket's buffer (`bytesSent - bufferedAmount`) at the last look. */
  private drained = 0;
  /** The transport's `writing` at the last look. */
  private writing: number | undefined = undefined;
  /** Whether the socket's buffer held a backlog at the last look (none before the first: it compares nothing). */
  private backlog = false;
  /** When the backlog last moved (or was first seen). */
  private movedAt = 0;
  /** The time and `bytesSent` of each ping not yet answered by a pong, oldest first (flat pairs). */
  private readonly marks: number[] = [];
  /** `bytesSent` at the last ping a pong answered: everything handed over before it has arrived. */
  private delivered = 0;

  /** Made at the first ping, which takes the first look. */
  constructor(private readonly conn: TransportConnection) {}

  /** A ping was written at `now`: where it is in the stream. */
  pinged(now: number): void {
    this.look(now);
    const marks = this.marks;
    if (marks.length >= MAX_MARKS) marks.splice(0, 2);
    marks.push(now, this.sent);
  }

  /** A pong: the oldest ping still waiting for one is answered, and so is everything sent before it. */
  ponged(): void {
    const marks = this.marks;
    if (marks.length === 0) return;
    marks.shift();
    this.delivered = marks.shift()!;
  }

  /** At a deadline with no sign of life: how many more milliseconds the ping sent at `sentAt` gets (0 or less: none). */
  extend(sentAt: number, now: number, timeout: number, stallTimeout: number): number {
    this.look(now);
    // Looked at again after a timeout (or when the stall would be complete, if sooner).
    if (this.backlog && now - this.movedAt < stallTimeout) return Math.min(timeout, this.movedAt + stallTimeout - now);
    const marks = this.marks;
    let sent = this.sent;
    for (let i = 0; i < marks.length; i += 2) {
      if (marks[i]! >= sentAt) {
        sent = marks[i + 1]!;
        break;
      }
    }
    return sentAt + timeout + Math.min(stallTimeout, Math.ceil((sent - this.delivered) / SLOWEST_LINK)) - now;
  }

  /** Notes how much has been handed over and how much has left the socket's buffer, and when its backlog last moved. */
  private look(now: number): void {
    const { bytesSent, bufferedAmount, writing } = this.conn.state();
    const drained = bytesSent - bufferedAmount;
    const backlog = bufferedAmount > 0;
    if (this.backlog) {
      if (drained > this.drained || writing !== this.writing) this.movedAt = now;
    } else if (backlog) this.movedAt = now; // a backlog starts: its stall counts from here
    this.sent = bytesSent;
    this.drained = drained;
    this.writing = writing;
    this.backlog = backlog;
  }
}
