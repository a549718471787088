/**
 * Backpressure against a real `ws` server that stops reading (its TCP socket
 * paused): writing pauses once the socket's own buffer passes the high-water
 * mark, messages then wait in the bounded outbox until it is full
 * (OutboxFullError), and everything accepted is delivered, in order, once
 * the server reads again.
 */
import { expect } from 'chai';
import { binary } from '../../src/client/codec';
import { OutboxFullError } from '../../src/errors';
import { connect } from '../../src/node';
import { ClientServer, socketFixture, startClientServer, waitFor } from '../support/client-server';

const SIZE = 64 * 1024;
/** The WebSocket header of a masked 64 KiB binary frame: 2 + 8 (length) + 4 (mask) bytes. */
const FRAME_OVERHEAD = 14;

/** A 64 KiB message carrying its sequence number in its first four bytes (and filled with it). */
function message(seq: number): Uint8Array {
  const data = new Uint8Array(SIZE).fill(seq & 0xff);
  new DataView(data.buffer).setUint32(0, seq);
  return data;
}

function sequenceOf(data: string | Buffer): number {
  if (typeof data === 'string') throw new Error(`expected a binary message, got text ${JSON.stringify(data.slice(0, 40))}`);
  return data.readUInt32BE(0);
}

describe('connect() backpressure against a server that stops reading', () => {
  let server: ClientServer;
  const fixture = socketFixture();

  beforeEach(async () => {
    server = fixture.adopt(await startClientServer({ echo: false }));
  });
  afterEach(() => fixture.dispose());

  it('should pause writing above the high-water mark, fill the outbox up to its limit, then deliver everything in order', async () => {
    const highWaterMark = 256 * 1024;
    const maxMessages = 8;
    const s = connect<Uint8Array, Uint8Array>(server.url('/slow-reader'), {
      codec: binary(),
      heartbeat: false,
      backpressure: { highWaterMark, pollInterval: 5 },
      outbox: { maxMessages },
    });
    const rec = fixture.track(s);
    await rec.reach('open');
    const connection = server.connections[0]!;
    connection.pauseReading();

    // Send as fast as possible until the outbox refuses (bounded: 64 MiB at most).
    let accepted = 0;
    let refusal: unknown;
    for (let seq = 0; seq < 1024 && refusal === undefined; seq++) {
      try {
        s.send(message(seq));
        accepted++;
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal, 'an OutboxFullError once the outbox is full').to.be.instanceOf(OutboxFullError);
    expect(refusal).to.include({ size: maxMessages, bytes: maxMessages * SIZE });
    expect(s.queued).to.equal(maxMessages);

    const pauses = rec.eventsOf('backpressure');
    expect(pauses.map((e) => e.paused)).to.deep.equal([true]);
    // Paused at the first write past the mark: the socket holds at most one message more.
    expect(pauses[0]!.bufferedAmount).to.be.above(highWaterMark).and.at.most(highWaterMark + SIZE + FRAME_OVERHEAD);
    const written = rec.eventsOf('sent').length;
    expect(written, 'written to the socket before the pause').to.equal(accepted - maxMessages);

    // Still paused: nothing more is written while the server does not read.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rec.eventsOf('sent').length).to.equal(written);
    expect(rec.eventsOf('backpressure').length).to.equal(1);

    connection.resumeReading();
    await waitFor(() => server.received.length === accepted, `the server to receive all ${accepted} accepted messages`, 5000, () => `${server.received.length} received`);
    expect(server.received.map(sequenceOf)).to.deep.equal(Array.from({ length: accepted }, (_, i) => i));
    expect(server.received.every((data) => typeof data !== 'string' && data.length === SIZE && data[SIZE - 1] === (sequenceOf(data) & 0xff))).to.equal(true);
    expect(rec.eventsOf('backpressure').map((e) => e.paused)).to.deep.equal([true, false]);
    expect(rec.eventsOf('backpressure')[1]!.bufferedAmount).to.be.at.most(highWaterMark);
    expect(rec.eventsOf('dropped')).to.deep.equal([]);
    expect(s.queued).to.equal(0);
    expect(rec.eventsOf('sent').length).to.equal(accepted);

    // Writing goes on directly once resumed.
    s.send(message(accepted));
    await waitFor(() => server.received.length === accepted + 1, 'a message sent after the resume');
    expect(sequenceOf(server.received[accepted]!)).to.equal(accepted);
  });
});
