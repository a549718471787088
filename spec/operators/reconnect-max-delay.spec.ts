/**
 * A server's Retry-After longer than a timer can wait, end to end: a real `ws`
 * server refuses every upgrade with 503 and `Retry-After: 3000000` (about 35
 * days). Node runs a timer set above 2^31 - 1 ms after 1 ms, so without the
 * cap the client would hammer the server (164 handshakes in 207 ms were seen);
 * with it, reconnect waits MAX_DELAY and the server sees one handshake.
 */
import { expect } from 'chai';
import type { AddressInfo } from 'net';
import { defer, Subscription } from 'rxjs';
import { WebSocketServer } from 'ws';
import { HandshakeError } from '../../src/errors';
import { ReconnectAttempt, reconnect } from '../../src/operators/reconnect';
import { MAX_DELAY } from '../../src/time';
import { wsTransport } from '../../src/transport/ws';

describe('reconnect() against a server whose Retry-After exceeds the timer limit', () => {
  let server: WebSocketServer;
  let handshakes = 0;
  let subscription: Subscription | undefined;

  before(async () => {
    server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, answer) => {
        handshakes++;
        answer(false, 503, 'Service Unavailable', { 'Retry-After': '3000000' });
      },
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  });
  afterEach(() => subscription?.unsubscribe());
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('should make exactly one handshake in 300 ms and announce a delay of MAX_DELAY when Retry-After is 3,000,000 s', async () => {
    const { port } = server.address() as AddressInfo;
    const url = `ws://127.0.0.1:${port}/busy`;
    const attempts: ReconnectAttempt[] = [];
    const errors: unknown[] = [];
    handshakes = 0;
    subscription = defer(() => wsTransport().open({ url }).events)
      .pipe(reconnect({ onAttempt: (attempt) => attempts.push(attempt) }))
      .subscribe({ error: (error: unknown) => errors.push(error) });

    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(handshakes, 'handshakes the server saw').to.equal(1);
    expect(attempts.map((a) => [a.attempt, a.delay])).to.deep.equal([[1, MAX_DELAY]]);
    expect(attempts[0]!.error).to.be.instanceOf(HandshakeError).and.include({ status: 503 });
    expect(errors, 'reconnect still waits: it neither gave up nor failed').to.deep.equal([]);
  });
});
