/**
 * Echo and close behaviour of both transports against two independent
 * servers: `ws`, and Python `websockets` (a peer rxnova did not write).
 */
import { expect } from 'chai';
import { ConnectionClosedError, UnsupportedFrameError } from '../../src/errors';
import { binaryFrame, pingFrame, textFrame } from '../../src/frame';
import type { TransportEvent } from '../../src/transport/transport';
import { EchoPeer, startWsEchoServer } from '../support/peers';
import { startPythonEchoServer } from '../support/python-peer';
import { record, Recording } from '../support/record';
import { TRANSPORTS } from '../support/transports';

const PEERS: ReadonlyArray<{ readonly name: string; start(): Promise<EchoPeer> }> = [
  { name: 'a ws server', start: () => startWsEchoServer() },
  { name: 'a Python websockets server', start: () => startPythonEchoServer() },
];

function bytes(length: number, seed = 7): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 31 + seed) & 0xff;
  return data;
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength));
}

describe('the Python websockets peer', () => {
  it('should fail, not skip, saying to install python3-websockets, when its interpreter cannot run it', async () => {
    const error: unknown = await startPythonEchoServer('/nonexistent/python3').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain('/nonexistent/python3 could not be run').and.contain('python3-websockets');
  });
});

for (const peerUnderTest of PEERS) {
  describe(`transports against ${peerUnderTest.name}`, () => {
    let peer: EchoPeer;
    before(async () => {
      peer = await peerUnderTest.start();
    });
    after(async () => {
      await peer?.stop();
    });

    for (const transportUnderTest of TRANSPORTS) {
      describe(transportUnderTest.name, () => {
        let recording: Recording | undefined;
        afterEach(() => recording?.subscription.unsubscribe());

        async function openEcho() {
          const url = peer.url();
          const connection = transportUnderTest.make().open({ url });
          recording = record(connection.events);
          await recording.opened();
          return { url, connection, recording };
        }

        for (const length of [0, 64, 1024 * 1024]) {
          it(`should echo a text message of ${length} bytes`, async () => {
            const { connection, recording } = await openEcho();
            const text = 'é'.repeat(length / 2);
            connection.frames.next(textFrame(text));
            const frame = await recording.frame();
            expect(frame.type).to.equal('text');
            expect(frame.type === 'text' && frame.data === text).to.equal(true, 'the echoed text differs');
          });

          it(`should echo a binary message of ${length} bytes as a plain Uint8Array`, async () => {
            const { connection, recording } = await openEcho();
            const data = bytes(length);
            connection.frames.next(binaryFrame(data));
            const frame = await recording.frame();
            expect(frame.type).to.equal('binary');
            if (frame.type !== 'binary') return;
            expect(Object.getPrototypeOf(frame.data)).to.equal(Uint8Array.prototype);
            expect(frame.data.byteLength).to.equal(length);
            expect(sameBytes(frame.data, data)).to.equal(true, 'the echoed bytes differ');
          });
        }

        it('should write a list of frames in order', async () => {
          const { connection, recording } = await openEcho();
          connection.frames.next([textFrame('one'), binaryFrame(bytes(3)), textFrame('three'), textFrame('four')]);
          await recording.frame(4);
          expect(recording.frames()).to.deep.equal([textFrame('one'), binaryFrame(bytes(3)), textFrame('three'), textFrame('four')]);
        });

        if (transportUnderTest.ping) {
          it('should report the pong that answers a ping', async () => {
            const { connection, recording } = await openEcho();
            connection.frames.next(pingFrame('are you there'));
            const frame = await recording.frame();
            expect(frame).to.deep.equal({ type: 'pong', data: new Uint8Array(Buffer.from('are you there')) });
          });

          it("should report the server's ping", async () => {
            const { connection, recording } = await openEcho();
            connection.frames.next(textFrame('ping:hello'));
            const frame = await recording.frame();
            expect(frame).to.deep.equal({ type: 'ping', data: new Uint8Array(Buffer.from('hello')) });
          });
        } else {
          it('should refuse to send a ping with UnsupportedFrameError', async () => {
            const { connection } = await openEcho();
            expect(() => connection.frames.next(pingFrame())).to.throw(UnsupportedFrameError, /cannot send ping or pong/);
          });
        }

        it('should emit the close event and then error with ConnectionClosedError when the server closes with 4000 "bye"', async () => {
          const { url, connection, recording } = await openEcho();
          connection.frames.next(textFrame('close:4000:bye'));
          const error = await recording.error();
          expect(error).to.be.instanceOf(ConnectionClosedError);
          expect(error).to.include({ closeCode: 4000, reason: 'bye', wasClean: true });
          const last: TransportEvent = recording.log[recording.log.length - 1];
          expect(last).to.deep.equal({ type: 'close', code: 4000, reason: 'bye', wasClean: true });
          expect(await peer.closeSeen(url)).to.deep.equal({ code: 4000, reason: 'bye' });
          expect(connection.state().readyState).to.equal('NONE');
        });

        it('should close with 1000 and complete events on frames.complete()', async () => {
          const { url, connection, recording } = await openEcho();
          connection.frames.complete();
          expect(await recording.ended).to.deep.equal({ kind: 'complete' });
          expect(recording.log[recording.log.length - 1]).to.deep.equal({ type: 'close', code: 1000, reason: '', wasClean: true });
          expect(await peer.closeSeen(url)).to.deep.equal({ code: 1000, reason: '' });
        });

        it('should complete events after a close frame with a code and reason is sent', async () => {
          const { url, connection, recording } = await openEcho();
          connection.frames.next({ type: 'close', code: 4001, reason: 'done' });
          expect(await recording.ended).to.deep.equal({ kind: 'complete' });
          expect(await peer.closeSeen(url)).to.deep.equal({ code: 4001, reason: 'done' });
        });
      });
    }
  });
}
