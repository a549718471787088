/**
 * wsTransport()'s options reach ws and TLS as given: a client certificate with
 * an encrypted key, permessage-deflate tuning, and the ws behaviour that must
 * not change with them (answering pings). Sockets with no such option share
 * one set of ws options.
 */
import { expect } from 'chai';
import type { TLSSocket } from 'node:tls';
import { ConnectError, InvalidOptionsError } from '../../src/errors';
import { textFrame } from '../../src/frame';
import { wsTransport } from '../../src/transport/ws';
import {
  startWsEchoServer,
  TLS_CERT,
  TLS_CLIENT_CERT,
  TLS_CLIENT_KEY,
  TLS_CLIENT_PASSPHRASE,
  WsEchoServer,
} from '../support/peers';
import { recorder } from '../support/record';

/** The ws options a transport hands to every `new WebSocket()` (a private field: the sharing is the point). */
const clientOptionsOf = (transport: unknown): object => (transport as { clientOptions: object }).clientOptions;

describe('wsTransport() options', () => {
  let mutualTls: WsEchoServer;
  let deflateServer: WsEchoServer;
  let server: WsEchoServer;
  const recordings = recorder();
  const { watch } = recordings;

  before(async () => {
    mutualTls = await startWsEchoServer({ tls: true, clientCa: TLS_CLIENT_CERT });
    deflateServer = await startWsEchoServer({ perMessageDeflate: true });
    server = await startWsEchoServer();
  });
  afterEach(() => recordings.dispose());
  after(async () => {
    await mutualTls?.stop();
    await deflateServer?.stop();
    await server?.stop();
  });

  describe('client certificates', () => {
    it('should present cert, with key decrypted by passphrase, to a server that requires a client certificate', async () => {
      const url = mutualTls.url();
      const transport = wsTransport({ ca: TLS_CERT, cert: TLS_CLIENT_CERT, key: TLS_CLIENT_KEY, passphrase: TLS_CLIENT_PASSPHRASE });
      const connection = transport.open({ url });
      const recording = watch(connection.events);
      await recording.opened();
      const seen = await mutualTls.connection(url);
      expect((seen.request.socket as TLSSocket).getPeerCertificate().subject.CN).to.equal('rxnova-test-client');
      connection.frames.next(textFrame('with a certificate'));
      expect(await recording.frame()).to.deep.equal(textFrame('with a certificate'));
    });

    it('should fail with ConnectError when the key cannot be decrypted without its passphrase', async () => {
      const connection = wsTransport({ ca: TLS_CERT, cert: TLS_CLIENT_CERT, key: TLS_CLIENT_KEY }).open({ url: mutualTls.url() });
      const error = await watch(connection.events).error();
      expect(error).to.be.instanceOf(ConnectError);
      expect(mutualTls.openCount()).to.equal(0);
    });

    it('should be refused by a server that requires a client certificate when none is given', async () => {
      const connection = wsTransport({ ca: TLS_CERT }).open({ url: mutualTls.url() });
      const error = await watch(connection.events).error();
      expect(error).to.be.instanceOf(ConnectError);
      expect((error as Error).message).to.contain('certificate required');
      expect(mutualTls.openCount()).to.equal(0);
    });
  });

  describe('permessage-deflate', () => {
    it('should offer it with the tuning given, and not offer it when another option is set but it is not', async () => {
      const url = deflateServer.url();
      const tuned = wsTransport({ perMessageDeflate: { serverMaxWindowBits: 10, threshold: 0 } }).open({ url });
      const recording = watch(tuned.events);
      expect(await recording.opened()).to.deep.include({ extensions: 'permessage-deflate' });
      expect((await deflateServer.connection(url)).request.headers['sec-websocket-extensions']).to.contain('server_max_window_bits=10');

      const plain = wsTransport({ followRedirects: true }).open({ url: deflateServer.url() });
      expect(await watch(plain.events).opened()).to.deep.include({ extensions: '' });
    });

    it('should offer it untuned with perMessageDeflate: true', async () => {
      const url = deflateServer.url();
      const connection = wsTransport({ perMessageDeflate: true }).open({ url });
      const recording = watch(connection.events);
      expect(await recording.opened()).to.deep.include({ extensions: 'permessage-deflate' });
    });

    it('should keep the tuning it was given, whatever the caller does to the object later', async () => {
      const tuning = { serverMaxWindowBits: 9 };
      const transport = wsTransport({ perMessageDeflate: tuning });
      tuning.serverMaxWindowBits = 12;
      const url = deflateServer.url();
      await watch(transport.open({ url }).events).opened();
      expect((await deflateServer.connection(url)).request.headers['sec-websocket-extensions']).to.contain('server_max_window_bits=9');
    });
  });

  it("should answer the server's pings by itself with options that are not the defaults", async () => {
    const url = server.url();
    const connection = wsTransport({ followRedirects: true, maxPayload: 4096 }).open({ url });
    const recording = watch(connection.events);
    await recording.opened();
    connection.frames.next(textFrame('ping:beat'));
    expect(await recording.frame()).to.deep.include({ type: 'ping' });
    connection.frames.next(textFrame('sync'));
    await recording.frame(2);
    expect((await server.connection(url)).pongs.map((pong) => pong.toString())).to.deep.equal(['beat']);
  });

  it('should share one set of ws options between transports with no TLS, compression, payload or redirect option', () => {
    const shared = clientOptionsOf(wsTransport());
    expect(clientOptionsOf(wsTransport({ handshakeTimeout: 5000 }))).to.equal(shared);
    expect(Object.isFrozen(shared)).to.equal(true);
    for (const options of [{ ca: TLS_CERT }, { rejectUnauthorized: false }, { perMessageDeflate: true }, { maxPayload: 1024 }, { followRedirects: true }]) {
      expect(clientOptionsOf(wsTransport(options)), JSON.stringify(Object.keys(options))).to.not.equal(shared);
    }
  });

  it('should refuse options that are not an object, naming what it got', () => {
    expect(() => wsTransport('tls' as never)).to.throw(InvalidOptionsError, 'wsTransport() takes an options object, got tls');
    expect(() => wsTransport(7 as never)).to.throw(InvalidOptionsError, 'got 7');
  });
});
