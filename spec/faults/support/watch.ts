/**
 * A socket under a fault, for the fault specs: connect()ed with short
 * heartbeat, connect timeout and reconnect delays, its states and events
 * recorded, and a sender that keeps sending every 20 ms; `finish()` closes it
 * and checks that nothing accepted was lost silently.
 */
import { expect } from 'chai';
import { constantBackoff } from '../../../src/backoff/constant-backoff';
import { text } from '../../../src/client/codec';
import type { ConnectOptions } from '../../../src/client/connect-options';
import type { SocketEvent } from '../../../src/client/events';
import type { Socket } from '../../../src/client/socket';
import type { SocketState } from '../../../src/client/state';
import { connect } from '../../../src/node';

/** A socket under a fault: its states, events, what was accepted, and a sender that keeps sending. */
export function watch(url: string, options: ConnectOptions<string, string> = {}) {
  const socket: Socket<string, string> = connect<string, string>(url, {
    codec: text(),
    heartbeat: { interval: 200, timeout: 300 },
    connectTimeout: 300,
    reconnect: { backoff: constantBackoff(50) },
    ...options,
  });
  const states: SocketState[] = [];
  const events: SocketEvent[] = [];
  socket.state$.subscribe((s) => states.push(s));
  socket.events$.subscribe((e) => events.push(e));
  socket.messages$.subscribe({ error: () => undefined });
  let accepted = 0;
  const sender = setInterval(() => {
    try {
      socket.send(`m${accepted}`);
      accepted++;
    } catch {
      // refused (after the end): not accepted
    }
  }, 20);
  const statuses = (): string[] => states.map((s) => s.status).filter((s, i, all) => i === 0 || all[i - 1] !== s);
  const until = (what: string, predicate: () => boolean, ms = 8000): Promise<void> =>
    new Promise((resolve, reject) => {
      const deadline = Date.now() + ms;
      const poll = (): void => {
        if (predicate()) resolve();
        else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}; states: ${statuses().join(' → ')}`));
        else setTimeout(poll, 5);
      };
      poll();
    });
  const reconnecting = (): Array<SocketState & { status: 'reconnecting' }> => states.filter((s): s is SocketState & { status: 'reconnecting' } => s.status === 'reconnecting');
  /** Closes, then checks that every accepted message was written to an open socket or reported dropped. */
  const finish = async (): Promise<void> => {
    clearInterval(sender);
    socket.close();
    await until('closed', () => socket.state.status === 'closed');
    const written = events.filter((e) => e.type === 'sent').length;
    const dropped = events.filter((e) => e.type === 'dropped').length;
    expect(written + dropped, `accepted ${accepted}: written ${written} + dropped ${dropped}`).to.equal(accepted);
  };
  return { socket, states, events, statuses, until, reconnecting, finish, accepted: () => accepted, stopSending: () => clearInterval(sender) };
}

/** What {@link watch} gives a spec. */
export type Watched = ReturnType<typeof watch>;
