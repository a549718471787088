/**
 * metrics(): a socket's counters, checked against a real `ws` server that
 * echoes, restarts and sends a frame that is not JSON.
 */
import { expect } from 'chai';
import { EMPTY } from 'rxjs';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { metrics, SocketMetrics } from '../../src/client/metrics';
import { InvalidOptionsError } from '../../src/errors';
import { connect } from '../../src/node';
import { ClientServer, replyRawOnRequest, socketFixture, startClientServer, waitFor } from '../support/client-server';

describe('metrics()', () => {
  let server: ClientServer;
  const fixture = socketFixture();

  beforeEach(async () => {
    server = fixture.adopt(await startClientServer({ onMessage: replyRawOnRequest }));
  });
  afterEach(() => fixture.dispose());

  it('should count messages and bytes in and out, opens, reconnects, drops, decode errors and the last rtt', async () => {
    const s = connect(server.url('/metrics'), {
      heartbeat: { interval: 30, timeout: 1000 },
      reconnect: { backoff: constantBackoff(20) },
    });
    const snapshots: SocketMetrics[] = [];
    let completed = false;
    fixture.hold(metrics(s, { interval: 0 }).subscribe({ next: (m) => snapshots.push(m), complete: () => (completed = true) }));
    const rec = fixture.track(s);
    const last = (): SocketMetrics => snapshots[snapshots.length - 1]!;
    await rec.reach('open');

    s.send('héllo'); // "héllo" in JSON: 8 UTF-8 bytes
    s.send({ n: 1 }); // {"n":1}: 7 bytes
    await waitFor(() => rec.messages.length === 2, 'both echoes');
    s.send('raw:not json'); // 14 bytes out; the 8 bytes back fail to decode
    await waitFor(() => rec.eventsOf('decode-error').length === 1, 'the decode error');
    await waitFor(() => last().lastRtt !== undefined, 'a heartbeat round trip');
    expect(last()).to.deep.include({
      messagesOut: 3,
      bytesOut: 8 + 7 + 14,
      messagesIn: 2,
      bytesIn: 8 + 7,
      opens: 1,
      reconnects: 0,
      drops: 0,
      decodeErrors: 1,
      heartbeatTimeouts: 0,
      outboxSize: 0,
    });

    await server.stop(1012, 'service restart');
    await rec.reach('reconnecting');
    s.send('queued-1');
    s.send('queued-2');
    expect(last().outboxSize, 'a snapshot is taken per event; the last one came before these sends').to.equal(0);
    await waitFor(() => last().reconnects >= 2, 'a refused reconnect attempt');
    expect(last().outboxSize).to.equal(2);
    const reconnects = last().reconnects;
    s.close();
    await rec.reach('closed');

    expect(completed, 'metrics completes with events$').to.equal(true);
    const final = last();
    expect(final).to.deep.include({
      messagesOut: 3,
      bytesOut: 29,
      messagesIn: 2,
      bytesIn: 15,
      opens: 1,
      reconnects,
      drops: 2,
      decodeErrors: 1,
      outboxSize: 0,
    });
    const rtts = rec.eventsOf('rtt');
    expect(final.lastRtt).to.equal(rtts[rtts.length - 1]!.rtt);
    expect(final.lastRtt).to.be.within(0, 1000);
    expect(final.reconnects).to.equal(rec.eventsOf('reconnect-scheduled').length);
  });

  it('should count an open per connection across a server restart', async () => {
    const s = connect(server.url('/opens'), { heartbeat: false, reconnect: { backoff: constantBackoff(100) } });
    const snapshots: SocketMetrics[] = [];
    fixture.hold(metrics(s, { interval: 0 }).subscribe((m) => snapshots.push(m)));
    const rec = fixture.track(s);
    await rec.reach('open');
    await server.stop(1012, 'service restart');
    await server.start();
    await waitFor(() => rec.eventsOf('opened').length === 2, 'the second open');
    s.send('after');
    await waitFor(() => rec.messages.length === 1, 'the echo');
    expect(snapshots[snapshots.length - 1]).to.deep.include({ opens: 2, reconnects: 1, messagesOut: 1, messagesIn: 1, drops: 0 });
  });

  it('should reject an interval that is negative, NaN or infinite with InvalidOptionsError', () => {
    const fake = { events$: EMPTY, queued: 0 };
    expect(() => metrics(fake, { interval: -1 })).to.throw(InvalidOptionsError, 'interval');
    expect(() => metrics(fake, { interval: NaN })).to.throw(InvalidOptionsError, 'interval');
    expect(() => metrics(fake, { interval: Infinity })).to.throw(InvalidOptionsError, 'interval');
  });
});
