/**
 * Bad input against a real `ws` echo server: each case gets its typed error,
 * and nothing else breaks (the socket stays open and a later message still
 * echoes; nothing is reported dropped).
 */
import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { TestTransport } from '../../src/testing/test-transport';
import type { Socket } from '../../src/client/socket';
import { CodecError, InvalidFrameError, InvalidOptionsError, InvalidUrlError, SocketClosedError } from '../../src/errors';
import { connect } from '../../src/node';
import { ClientServer, replyRawOnRequest, socketFixture, SocketRecording, startClientServer, waitFor } from '../support/client-server';

describe('connect() with bad input against a real server', () => {
  let server: ClientServer;
  const fixture = socketFixture();

  before(async () => {
    server = await startClientServer({ onMessage: replyRawOnRequest });
  });
  afterEach(() => fixture.dispose());
  after(() => server.dispose());

  /** An open socket to the echo server, recorded. */
  async function open(path: string): Promise<{ s: Socket<unknown, unknown>; rec: SocketRecording }> {
    const { s, rec } = fixture.open(server.url(path));
    await rec.reach('open');
    return { s, rec };
  }

  /** Sends a message and waits for its echo: the socket still works. */
  async function stillEchoes(s: Socket<unknown, unknown>, rec: SocketRecording, message: unknown): Promise<void> {
    const before = rec.messages.length;
    s.send(message);
    await waitFor(() => rec.messages.length > before, `the echo of ${JSON.stringify(message)}`);
    expect(rec.messages[rec.messages.length - 1]).to.deep.equal(message);
    expect(s.state.status).to.equal('open');
  }

  it('should throw InvalidUrlError synchronously for a URL that is not a WebSocket URL, before any network use', () => {
    const upgrades = server.upgrades.length;
    expect(() => connect('foo')).to.throw(InvalidUrlError, 'not an absolute URL');
    expect(() => connect('ftp://x')).to.throw(InvalidUrlError, 'scheme ftp:');
    expect(() => connect(`${server.url('/frag')}#part`)).to.throw(InvalidUrlError, 'fragment');
    try {
      connect('foo');
    } catch (error) {
      expect(error).to.include({ name: 'InvalidUrlError', code: 'RXNOVA_ERR_INVALID_URL', url: 'foo' });
      expect((error as Error).message).to.match(/^rxnova: /);
    }
    expect(server.upgrades.length).to.equal(upgrades);
  });

  it('should throw InvalidOptionsError synchronously for options that cannot work', () => {
    expect(() => connect(server.url('/opts'), { heartbeat: { interval: 0 } })).to.throw(InvalidOptionsError, 'heartbeat.interval');
    expect(() => connect(server.url('/opts'), { outbox: { maxMessages: -1 } })).to.throw(InvalidOptionsError, 'maxMessages');
    expect(() => connect(server.url('/opts'), { reconnect: 'yes' as never })).to.throw(InvalidOptionsError, 'reconnect');
  });

  it('should throw InvalidFrameError for an invalid close code or reason and stay open and usable', async () => {
    const { s, rec } = await open('/bad-close');
    expect(() => s.close(1006)).to.throw(InvalidFrameError);
    expect(() => s.close(999)).to.throw(InvalidFrameError);
    expect(() => s.close(1000, 'x'.repeat(124))).to.throw(InvalidFrameError);
    expect(s.state.status).to.equal('open');
    await stillEchoes(s, rec, { after: 'bad close' });
    expect(server.connections.find((c) => c.request.url === '/bad-close')!.closed).to.equal(undefined);
  });

  it('should throw CodecError (with the cause) from send() for a message JSON cannot encode, and stay usable', async () => {
    const { s, rec } = await open('/bad-encode');
    const circular: Record<string, unknown> = { name: 'loop' };
    circular['self'] = circular;
    for (const bad of [{ big: BigInt(1) }, circular]) {
      let thrown: unknown;
      try {
        s.send(bad);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(CodecError);
      expect(thrown).to.include({ direction: 'encode', code: 'RXNOVA_ERR_CODEC' });
      expect((thrown as CodecError).cause).to.be.instanceOf(TypeError);
    }
    expect(s.queued).to.equal(0);
    await stillEchoes(s, rec, { after: 'bad encode' });
    expect(rec.eventsOf('dropped')).to.deep.equal([]);
    expect(rec.eventsOf('sent').length).to.equal(1);
  });

  it("should report an inbound frame that is not JSON as 'decode-error' and deliver the next message, messages$ not erroring", async () => {
    const { s, rec } = await open('/bad-decode');
    s.send('raw:not json');
    await waitFor(() => rec.eventsOf('decode-error').length === 1, 'the decode error');
    const [event] = rec.eventsOf('decode-error');
    expect(event!.error).to.be.instanceOf(CodecError);
    expect(event!.error).to.include({ direction: 'decode' });
    expect(event!.error.cause).to.be.instanceOf(SyntaxError);
    expect(event).to.include({ kind: 'text', bytes: 'not json'.length });
    expect(rec.messagesEnd).to.equal(undefined);
    expect(rec.messages).to.deep.equal([]);
    await stillEchoes(s, rec, { after: 'bad decode' });
    expect(rec.messages).to.deep.equal([{ after: 'bad decode' }]);
  });

  it('should throw SocketClosedError from send() after close(), and ignore a second close()', async () => {
    const { s, rec } = await open('/after-close');
    s.close();
    expect(() => s.send('late')).to.throw(SocketClosedError, 'send(): the socket is closed (close() was called)');
    expect(() => s.close()).to.not.throw();
    await rec.reach('closed');
    expect(() => s.send('later')).to.throw(SocketClosedError);
    expect(rec.eventsOf('dropped')).to.deep.equal([]);
    const connection = server.connections.find((c) => c.request.url === '/after-close')!;
    await waitFor(() => connection.closed !== undefined, 'the server to see the close');
    expect(connection.messages).to.deep.equal([]);
  });
});

describe('send() options', () => {
  it('should refuse a ttl that is not a duration, whether the message would be written at once or queued', () => {
    const scheduler = new VirtualTimeScheduler();
    const socket = connect('ws://example.test/', { transport: new TestTransport({ scheduler, script: (s) => s.open() }), scheduler, heartbeat: false });
    // Queued (not open yet) and written at once (open): the same error.
    expect(() => socket.send({ n: 1 }, { ttl: -5 })).to.throw(InvalidOptionsError, /send\(\) options.ttl/);
    scheduler.flush();
    expect(socket.state.status).to.equal('open');
    expect(() => socket.send({ n: 1 }, { ttl: Number.NaN })).to.throw(InvalidOptionsError, /send\(\) options.ttl/);
    expect(() => socket.sendWithReceipt({ n: 1 }, { ttl: 0 })).to.throw(InvalidOptionsError, /send\(\) options.ttl/);
    socket.send({ n: 2 }, { ttl: Infinity });
    socket.close();
  });
});
