/**
 * connect() against a real `ws` server that is stopped (WebSocketServer and
 * listening socket closed, connects refused) and started again on the same
 * port: the outbox delivers everything, each once and in order, and
 * reconnection counts its attempts per outage.
 *
 * At-most-once, made deterministic: a message written to a socket that then
 * dies may be lost (documented), so each stop is graceful (1012 Service
 * Restart) and happens only once the server has received everything sent so
 * far; messages sent while the server is down wait in the outbox.
 */
import { expect } from 'chai';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { ConnectError, ConnectionClosedError } from '../../src/errors';
import { connect } from '../../src/node';
import { ClientServer, socketFixture, startClientServer, waitFor } from '../support/client-server';

/** Index of the first element where `actual` differs from `expected` (or the shorter length), -1 if equal. */
function firstDifference(actual: readonly unknown[], expected: readonly unknown[]): number {
  const length = Math.min(actual.length, expected.length);
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return i;
  return actual.length === expected.length ? -1 : length;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('connect() against a server that restarts', () => {
  let server: ClientServer;
  const fixture = socketFixture();

  beforeEach(async () => {
    server = fixture.adopt(await startClientServer({ echo: false }));
  });
  afterEach(() => fixture.dispose());

  it('should deliver 10,000 messages sent across three server restarts, each once, in order, and report none dropped', async () => {
    const s = connect<unknown, number>(server.url('/ordered'), { heartbeat: false, reconnect: { backoff: constantBackoff(20) } });
    const rec = fixture.track(s);
    let sent = 0;
    const sendBurst = (count: number): void => {
      for (let i = 0; i < count; i++) s.send(sent++);
    };
    const sendInBursts = async (count: number, burst: number): Promise<void> => {
      for (let left = count; left > 0; left -= burst) {
        sendBurst(Math.min(burst, left));
        await tick();
      }
    };
    const serverHasEverything = (): Promise<void> =>
      waitFor(() => server.received.length >= sent, `the server to receive all ${sent} messages`, 5000, () => `it has ${server.received.length}`);

    sendBurst(1000); // before the first open: queued
    expect(s.queued).to.equal(1000);
    await rec.reach('open');
    await sendInBursts(1000, 250);
    await serverHasEverything();

    for (let restart = 1; restart <= 3; restart++) {
      const before = server.received.length;
      await server.stop(1012, 'service restart');
      await waitFor(() => s.state.status !== 'open', 'the client to see the 1012 close');
      const scheduled = rec.eventsOf('reconnect-scheduled').length;
      sendBurst(1500); // while down: everything waits in the outbox
      expect(s.queued, `queued during outage ${restart}`).to.equal(1500);
      // At least one reconnect is refused while the messages wait.
      await waitFor(
        () => rec.eventsOf('reconnect-scheduled').slice(scheduled).some((e) => e.error instanceof ConnectError),
        'a refused reconnect attempt while the server is down',
      );
      expect(server.received.length, 'nothing arrives while the server is down').to.equal(before);
      await server.start();
      await sendInBursts(restart === 3 ? 1500 : 1000, 200);
      await serverHasEverything();
    }

    expect(sent).to.equal(10_000);
    const expected = Array.from({ length: sent }, (_, i) => String(i));
    const at = firstDifference(server.received, expected);
    expect(at, `first difference at ${at}: got ${String(server.received[at])}, expected ${expected[at]}`).to.equal(-1);
    expect(server.received.length).to.equal(10_000);
    expect(rec.eventsOf('dropped')).to.deep.equal([]);
    expect(s.queued).to.equal(0);
    expect(server.connections.map((c) => c.closed)).to.deep.equal([
      { code: 1012, reason: 'service restart' },
      { code: 1012, reason: 'service restart' },
      { code: 1012, reason: 'service restart' },
      undefined,
    ]);
    expect(rec.eventsOf('opened').map((e) => e.url)).to.deep.equal(Array(4).fill(server.url('/ordered')));
  });

  it('should count reconnect attempts per outage: each restart starts again from attempt 1 once the connection stayed up resetAfter ms', async () => {
    const s = connect<unknown, number>(server.url('/attempts'), {
      heartbeat: false,
      reconnect: { backoff: constantBackoff(100), maxAttempts: 2, resetAfter: 50 },
    });
    const rec = fixture.track(s);
    for (let outage = 1; outage <= 3; outage++) {
      await rec.reach('open');
      const openedAt = Date.now();
      // Stay up longer than resetAfter, so the next failure starts a new outage.
      await waitFor(() => Date.now() - openedAt >= 80, 'the connection to stay up past resetAfter');
      await server.stop(1012, 'service restart');
      await rec.reach('reconnecting');
      await server.start();
    }
    await rec.reach('open');
    const outageStarts = rec
      .eventsOf('reconnect-scheduled')
      .filter((e) => e.error instanceof ConnectionClosedError && e.error.closeCode === 1012)
      .map((e) => e.attempt);
    expect(outageStarts, 'the attempt number at the start of each outage').to.deep.equal([1, 1, 1]);
    expect(rec.eventsOf('gave-up')).to.deep.equal([]);
    expect(rec.eventsOf('opened').length).to.equal(4);
  });
});
