/**
 * connect()'s life cycle against real `ws` servers: state$ across a server
 * restart, close() with a code and reason, headers and subprotocols per
 * attempt, lazy mode, and handshake refusals that stop (401) or are retried (503).
 */
import { expect } from 'chai';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { SocketState } from '../../src/client/state';
import { ConnectionClosedError, HandshakeError } from '../../src/errors';
import { connect } from '../../src/node';
import { socketFixture, startClientServer, waitFor } from '../support/client-server';

describe('connect() life cycle against a real server', () => {
  const fixture = socketFixture();
  const { track } = fixture;

  afterEach(() => fixture.dispose());

  it('should go connecting, open, reconnecting, connecting, open, closing, closed across a server restart', async () => {
    const srv = fixture.adopt(await startClientServer());
    const s = connect(srv.url('/states'), { heartbeat: false, reconnect: { backoff: constantBackoff(150) } });
    const rec = track(s);
    await rec.reach('open');
    await srv.stop(1012, 'service restart');
    // Started again before the reconnect (150 ms after the close) is due: one attempt suffices.
    await srv.start();
    await waitFor(() => rec.eventsOf('opened').length === 2, 'the second open');
    s.close();
    await rec.reach('closed');
    expect(rec.statuses()).to.deep.equal(['connecting', 'open', 'reconnecting', 'connecting', 'open', 'closing', 'closed']);
    const url = srv.url('/states');
    const [connecting0, open0, reconnecting, connecting1, open1, closing, closed] = rec.states as [
      SocketState, SocketState, SocketState, SocketState, SocketState, SocketState, SocketState,
    ];
    expect(connecting0).to.deep.equal({ status: 'connecting', attempt: 0, url });
    expect(open0).to.deep.equal({ status: 'open', attempt: 0, url, protocol: '' });
    expect(reconnecting).to.include({ status: 'reconnecting', attempt: 1, delay: 150 });
    const error = (reconnecting as { error: unknown }).error;
    expect(error).to.be.instanceOf(ConnectionClosedError);
    expect(error).to.include({ closeCode: 1012, reason: 'service restart', wasClean: true });
    expect(connecting1).to.deep.equal({ status: 'connecting', attempt: 1, url });
    expect(open1).to.deep.equal({ status: 'open', attempt: 1, url, protocol: '' });
    expect(closing).to.deep.equal({ status: 'closing', code: 1000, reason: '' });
    expect(closed).to.deep.include({ status: 'closed', code: 1000, requested: true, gaveUp: false });
    expect(rec.statesCompleted).to.equal(true);
    expect(rec.eventsOf('closed').map((e) => [e.code, e.initiator])).to.deep.equal([
      [1012, 'server'],
      [1000, 'client'],
    ]);
  });

  it("should close with the given code and reason: the server sees them, messages$ completes, state$ completes after 'closed'", async () => {
    const srv = fixture.adopt(await startClientServer());
    const s = connect(srv.url('/bye'), { heartbeat: false });
    const rec = track(s);
    await rec.reach('open');
    s.send('last words');
    await waitFor(() => rec.messages.length === 1, 'the echo');
    s.close(4000, 'bye');
    const seen = await srv.connections[0]!.whenClosed;
    expect(seen).to.deep.equal({ code: 4000, reason: 'bye' });
    await rec.reach('closed');
    expect(rec.messagesEnd).to.deep.equal({ kind: 'complete' });
    expect(rec.statesCompleted).to.equal(true);
    expect(rec.eventsCompleted).to.equal(true);
    expect(s.state).to.deep.equal({ status: 'closed', code: 4000, reason: 'bye', wasClean: true, requested: true, gaveUp: false });
    expect(rec.messages).to.deep.equal(['last words']);
  });

  it('should call a headers function on every attempt and send what it returns with that upgrade', async () => {
    // The first two upgrades are refused with 503 (retried), the third is accepted.
    const srv = fixture.adopt(await startClientServer({ refuse: (_request, index) => (index < 2 ? { status: 503 } : undefined) }));
    let calls = 0;
    const s = connect(srv.url('/headers'), {
      heartbeat: false,
      reconnect: { backoff: constantBackoff(20) },
      headers: () => ({ Authorization: `Bearer token-${++calls}`, 'X-Attempt': String(calls) }),
    });
    const rec = track(s);
    await rec.reach('open');
    expect(calls).to.equal(3);
    expect(srv.upgrades.map((r) => [r.headers.authorization, r.headers['x-attempt']])).to.deep.equal([
      ['Bearer token-1', '1'],
      ['Bearer token-2', '2'],
      ['Bearer token-3', '3'],
    ]);
    expect(srv.connections.map((c) => c.request.headers.authorization)).to.deep.equal(['Bearer token-3']);
  });

  it('should retry a 503 handshake and open on a later attempt', async () => {
    const srv = fixture.adopt(await startClientServer({ refuse: (_request, index) => (index < 2 ? { status: 503 } : undefined) }));
    const s = connect(srv.url('/busy'), { heartbeat: false, reconnect: { backoff: constantBackoff(20) } });
    const rec = track(s);
    await rec.reach('open');
    const errors = rec.eventsOf('reconnect-scheduled').map((e) => e.error);
    expect(errors.length).to.equal(2);
    for (const error of errors) expect(error).to.be.instanceOf(HandshakeError).and.include({ status: 503 });
    expect(s.state).to.include({ status: 'open', attempt: 2 });
    expect(rec.eventsOf('gave-up')).to.deep.equal([]);
  });

  it('should give up on a 401 handshake: closed with gaveUp and HandshakeError, messages$ errors, no retry', async () => {
    const srv = fixture.adopt(await startClientServer({
      refuse: () => ({ status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="rxnova"' } }),
    }));
    const s = connect(srv.url('/denied'), { heartbeat: false, reconnect: { backoff: constantBackoff(20) } });
    const rec = track(s);
    await rec.reach('closed');
    const state = s.state as Extract<SocketState, { status: 'closed' }>;
    expect(state).to.include({ requested: false, gaveUp: true });
    expect(state.error).to.be.instanceOf(HandshakeError);
    expect(state.error).to.include({ status: 401 });
    expect((state.error as HandshakeError).headers['www-authenticate']).to.equal('Bearer realm="rxnova"');
    expect(rec.messagesEnd).to.deep.equal({ kind: 'error', error: state.error });
    expect(rec.eventsOf('gave-up').map((e) => e.error)).to.deep.equal([state.error]);
    expect(rec.eventsOf('reconnect-scheduled')).to.deep.equal([]);
    expect(srv.upgrades.length).to.equal(1);
    expect(rec.statesCompleted).to.equal(true);
  });

  it('should offer the subprotocols and report the one the server chose', async () => {
    let offered: string[] = [];
    const srv = fixture.adopt(await startClientServer({
      handleProtocols: (protocols) => {
        offered = [...protocols];
        return protocols.has('v1.rxnova') ? 'v1.rxnova' : false;
      },
    }));
    const s = connect(srv.url('/protocols'), { heartbeat: false, protocols: ['v2.rxnova', 'v1.rxnova'] });
    const rec = track(s);
    await rec.reach('open');
    expect(offered).to.deep.equal(['v2.rxnova', 'v1.rxnova']);
    expect(s.state).to.include({ status: 'open', protocol: 'v1.rxnova' });
    expect(rec.eventsOf('opened')[0]).to.include({ protocol: 'v1.rxnova' });
    expect(srv.connections[0]!.socket.protocol).to.equal('v1.rxnova');
  });

  it('should open lazily on the first subscriber of messages$ and close after the last one leaves', async () => {
    const srv = fixture.adopt(await startClientServer());
    const s = connect(srv.url('/lazy'), { heartbeat: false, lazy: true });
    const rec = track(s, { messages: false });
    // An eager socket opened after it proves time has passed: the lazy one has not connected.
    const control = connect(srv.url('/control'), { heartbeat: false });
    try {
      await waitFor(() => control.state.status === 'open', 'the control socket to open');
      expect(srv.upgrades.map((r) => r.url)).to.deep.equal(['/control']);
      expect(s.state).to.deep.equal({ status: 'closed', requested: false, gaveUp: false });
    } finally {
      control.close();
    }

    const seen: unknown[] = [];
    const first = s.messages$.subscribe((m) => seen.push(['first', m]));
    const second = s.messages$.subscribe((m) => seen.push(['second', m]));
    await rec.reach('open');
    s.send('hello');
    await waitFor(() => seen.length === 2, 'the echo to both subscribers');
    expect(seen).to.deep.equal([
      ['first', 'hello'],
      ['second', 'hello'],
    ]);
    const connection = srv.connections.find((c) => c.request.url === '/lazy')!;
    first.unsubscribe();
    expect(s.state.status).to.equal('open');
    s.send('still open');
    await waitFor(() => seen.length === 3, 'the echo to the remaining subscriber');
    expect(connection.closed).to.equal(undefined);

    second.unsubscribe();
    expect(await connection.whenClosed).to.deep.equal({ code: 1000, reason: '' });
    await rec.reach('closed');
    expect(s.state).to.include({ status: 'closed', requested: true, gaveUp: false });
    expect(rec.statesCompleted, 'idle, not final').to.equal(false);
    expect(srv.upgrades.filter((r) => r.url === '/lazy').length).to.equal(1);

    // A new subscriber opens a new connection.
    const third = s.messages$.subscribe();
    try {
      await rec.reach('open');
      expect(srv.upgrades.filter((r) => r.url === '/lazy').length).to.equal(2);
    } finally {
      third.unsubscribe();
    }
  });
});
