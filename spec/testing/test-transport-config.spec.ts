/**
 * TestTransport's configuration and bookkeeping: what it refuses and how it
 * says so, `lastConnection`, a connection's `current` socket, and the
 * capabilities it can be told to lack.
 */
import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { UnsupportedFrameError } from '../../src/errors';
import { pingFrame, pongFrame } from '../../src/frame';
import { TestTransport } from '../../src/testing/test-transport';
import type { TransportEvent } from '../../src/transport/transport';
import { invalidOptionsReason as refusal } from '../support/invalid-options';

const URL = 'ws://example.test/feed';

describe('TestTransport configuration', () => {
  it('should refuse a config that is not an object, and a script that is not a function, saying what it got', () => {
    expect(refusal(() => new TestTransport(null as never))).to.equal('TestTransport: config must be an object, got null');
    expect(refusal(() => new TestTransport('open' as never))).to.equal('TestTransport: config must be an object, got string');
    expect(refusal(() => new TestTransport({ script: 'o-a' as never }))).to.equal('TestTransport: script must be a function (socket, index) => void, got string');
    expect(() => new TestTransport()).to.not.throw();
  });

  it('should refuse headers when told it cannot send them, naming them and what to do instead', () => {
    const transport = new TestTransport({ capabilities: { headers: false }, name: 'browser-like' });
    expect(refusal(() => transport.open({ url: URL, headers: { Authorization: 'Bearer x', 'X-Trace': '1' } }))).to.equal(
      'headers (Authorization, X-Trace) cannot be sent: this transport (browser-like) has capabilities.headers false; ' +
        'pass credentials in the URL or the first message, or use a transport that supports headers',
    );
    expect(() => transport.open({ url: URL })).to.not.throw();
  });

  it('should refuse ping and pong frames when told it cannot send them, saying why', () => {
    const scheduler = new VirtualTimeScheduler();
    const transport = new TestTransport({ scheduler, capabilities: { ping: false }, name: 'no-ping' });
    expect(transport.capabilities).to.deep.equal({ ping: false, headers: true });
    for (const frame of [pingFrame(), pongFrame()]) {
      const connection = transport.open({ url: URL });
      connection.events.subscribe();
      scheduler.flush();
      expect(() => connection.frames.next(frame)).to.throw(
        UnsupportedFrameError,
        `unsupported frame "${frame.type}": this transport (no-ping) has capabilities.ping false; use application-level pings`,
      );
      expect(connection.state().readyState).to.equal('OPEN');
    }
  });

  it('should name its newest connection lastConnection, undefined before the first open()', () => {
    const transport = new TestTransport();
    expect(transport.lastConnection).to.equal(undefined);
    const first = transport.open({ url: URL });
    expect(transport.lastConnection).to.equal(first);
    const second = transport.open({ url: `${URL}/2` });
    expect(transport.lastConnection).to.equal(second);
    expect(transport.connections).to.deep.equal([first, second]);
  });

  it("should give a connection's current socket while its subscription lives, the newest one after a resubscribe", () => {
    const scheduler = new VirtualTimeScheduler();
    const transport = new TestTransport({ scheduler });
    const connection = transport.open({ url: URL });
    expect(connection.current).to.equal(undefined);
    const seen: TransportEvent[] = [];
    const first = connection.events.subscribe((event) => seen.push(event));
    scheduler.flush();
    expect(seen.map((event) => event.type)).to.deep.equal(['open']);
    expect(connection.current).to.equal(transport.sockets[0]);
    first.unsubscribe();
    expect(connection.current).to.equal(undefined);
    const second = connection.events.subscribe();
    expect(connection.current).to.equal(transport.sockets[1]);
    second.unsubscribe();
    expect(connection.current).to.equal(undefined);
  });
});
