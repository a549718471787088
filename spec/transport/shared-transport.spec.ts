/**
 * One transport, many connections: a transport object is shared by all its
 * connections (it dials their sockets), so nothing of one connection may
 * leak into another; and the handshake timer is gone once a socket is open.
 * Checked on both real transports against a real server on 127.0.0.1.
 */
import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { textFrame } from '../../src/frame';
import { startWsEchoServer, WsEchoServer } from '../support/peers';
import { recorder } from '../support/record';
import { TRANSPORTS } from '../support/transports';

for (const transportUnderTest of TRANSPORTS) {
  describe(`${transportUnderTest.name} (one transport, many connections)`, () => {
    let server: WsEchoServer;
    const recordings = recorder();
    const { watch } = recordings;

    before(async () => {
      server = await startWsEchoServer({ handleProtocols: (offered) => (offered.has('chat.v2') ? 'chat.v2' : false) });
    });
    afterEach(() => recordings.dispose());
    after(async () => {
      await server?.stop();
    });

    it('should keep the frames, counters and subprotocols of two connections of one transport apart', async () => {
      const transport = transportUnderTest.make();
      const offered = ['chat.v2'];
      const urlA = server.url();
      const urlB = server.url();
      const a = transport.open({ url: urlA, protocols: offered });
      const b = transport.open({ url: urlB });
      // The request's array is copied: changing it after open() changes nothing.
      offered.push('chat.v3');
      const recordingA = watch(a.events);
      const recordingB = watch(b.events);
      expect(await recordingA.opened()).to.deep.equal({ type: 'open', protocol: 'chat.v2', extensions: '' });
      expect(await recordingB.opened()).to.deep.equal({ type: 'open', protocol: '', extensions: '' });
      const [serverA, serverB] = await Promise.all([server.connection(urlA), server.connection(urlB)]);
      expect(serverA.request.headers['sec-websocket-protocol']).to.equal('chat.v2');
      expect(serverB.request.headers['sec-websocket-protocol']).to.equal(undefined);

      a.frames.next(textFrame('to a'));
      b.frames.next([textFrame('to b, 1'), textFrame('to b, 2')]);
      expect(await recordingA.frame(1)).to.deep.equal(textFrame('to a'));
      expect(await recordingB.frame(2)).to.deep.equal(textFrame('to b, 2'));
      expect(serverA.messages).to.deep.equal(['to a']);
      expect(serverB.messages).to.deep.equal(['to b, 1', 'to b, 2']);
      expect(a.state()).to.include({ url: urlA, protocol: 'chat.v2', framesSent: 1, framesReceived: 1, bytesSent: 4, bytesReceived: 4 });
      expect(b.state()).to.include({ url: urlB, protocol: '', framesSent: 2, framesReceived: 2, bytesSent: 14, bytesReceived: 14 });

      // Completing one connection's frames closes that connection only.
      b.frames.complete();
      expect(await recordingB.ended).to.deep.equal({ kind: 'complete' });
      expect(recordingA.end()).to.equal(undefined);
      a.frames.next(textFrame('still open'));
      expect(await recordingA.frame(2)).to.deep.equal(textFrame('still open'));
    });

    it('should leave nothing on the scheduler once the socket is open', async () => {
      const scheduler = new VirtualTimeScheduler();
      const connection = transportUnderTest.make({ scheduler, handshakeTimeout: 1000 }).open({ url: server.url() });
      const recording = watch(connection.events);
      expect(scheduler.actions.length).to.equal(1);
      await recording.opened();
      expect(scheduler.actions.length).to.equal(0);
      // Far past the handshake timeout: still open.
      scheduler.flush();
      expect(recording.end()).to.equal(undefined);
      expect(connection.state().readyState).to.equal('OPEN');
    });

    it('should report the URL as given when it is already normal, and normalised otherwise', () => {
      const transport = transportUnderTest.make();
      const url = server.url();
      expect(transport.open({ url }).state().url).to.equal(url);
      const http = url.replace(/^ws:/, 'http:');
      expect(transport.open({ url: http }).state().url).to.equal(url);
    });
  });
}
