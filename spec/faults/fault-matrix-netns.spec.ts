/**
 * The fault matrix, the faults only the kernel makes (as root, in a network
 * namespace of the spec's own, see support/netns.ts): an iptables DROP rule
 * that black-holes a live connection, and a tbf slow link. Without root or
 * the tools these cases skip and say why; under CI (`CI` set, where they must
 * run) they fail instead.
 */
import { expect } from 'chai';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import { binary } from '../../src/client/codec';
import type { SocketEvent } from '../../src/client/events';
import type { SocketStatus } from '../../src/client/state';
import { HeartbeatTimeoutError } from '../../src/errors';
import { connect } from '../../src/node';
import { createNetnsLab, NetnsLab, netnsUnavailable } from './support/netns';
import { watch } from './support/watch';

/** The slow link: fast enough to move the high-water mark (256 KiB) and more within a few seconds. */
const SLOW_LINK = '2mbit';
const MESSAGE_SIZE = 16 * 1024;
/** 1.5 MiB: more than the high-water mark plus what the kernel buffers (which autotunes, up to about 1 MiB here), so writing must pause. */
const HIGH_WATER_MARK = 256 * 1024;
const MESSAGES = 96;

describe('the fault matrix in a network namespace (root: iptables, tc)', function () {
  this.timeout(30_000);
  let lab: NetnsLab | undefined;

  before(async function () {
    let reason = netnsUnavailable();
    if (reason === undefined) {
      try {
        lab = await createNetnsLab();
      } catch (error) {
        reason = `cannot make a network namespace: ${(error as Error).message}`;
      }
    }
    if (reason === undefined) return;
    if (process.env['CI']) throw new Error(`the network-namespace faults must run under CI, but ${reason}`);
    console.log(`      skipping the network-namespace faults: ${reason}`);
    this.skip();
  });

  after(async () => {
    await lab?.dispose();
  });

  it('should find a connection black-holed by an iptables DROP within interval + timeout, retry while it lasts, and reconnect once it is lifted, losing nothing accepted since', async () => {
    const server = await lab!.startEchoServer();
    const w = watch(server.url, { heartbeat: { interval: 500, timeout: 500 }, connectTimeout: 1000, reconnect: { backoff: constantBackoff(100) } });
    let holed = false;
    try {
      await w.until('open', () => w.socket.state.status === 'open');
      await w.until('a few messages through', () => server.got.length >= 5);
      const beforeHole = w.accepted();
      const holedAt = Date.now();
      lab!.blackHole(server.port, true);
      holed = true;
      await w.until('reconnecting', () => w.reconnecting().length > 0, 5000);
      const detectedAfter = Date.now() - holedAt;
      const sinceDetected = w.accepted();
      expect(detectedAfter, 'detected within interval + timeout (and some slack)').to.be.below(500 + 500 + 1500);
      expect(w.reconnecting()[0]!.error).to.be.instanceOf(HeartbeatTimeoutError);
      expect(w.events.filter((e) => e.type === 'heartbeat-timeout')).to.have.length(1);

      await w.until('an attempt into the hole to time out', () => w.reconnecting().length >= 2, 5000);
      expect(w.socket.state.status).not.to.equal('open');
      lab!.blackHole(server.port, false);
      holed = false;
      await w.until('open again', () => w.socket.state.status === 'open', 8000);
      expect(w.statuses().slice(0, 3)).to.deep.equal(['connecting', 'open', 'reconnecting']);
      await w.until('the server to see the second connection', () => server.opens() === 2);

      w.stopSending();
      const accepted = w.accepted();
      const got = new Set(server.got);
      const missing = (from: number, to: number): string[] => {
        const list: string[] = [];
        for (let i = from; i < to; i++) if (!got.has(`m${i}`)) list.push(`m${i}`);
        return list;
      };
      await w.until('every message accepted since the hole was found', () => {
        for (const m of server.got) got.add(m);
        return missing(sinceDetected, accepted).length === 0;
      });
      expect(missing(0, beforeHole), 'every message written before the hole arrived').to.deep.equal([]);
      // What was written into the hole (between beforeHole and sinceDetected) is gone with its connection:
      // it counts as written, so finish() still balances written + dropped against accepted.
      expect(w.events.filter((e) => e.type === 'dropped')).to.deep.equal([]);
      await w.finish();
    } finally {
      w.stopSending();
      if (holed) lab!.blackHole(server.port, false);
      w.socket.close();
      await server.stop();
    }
  });

  it(`should pause a continuous sender on a slow link (tbf ${SLOW_LINK}) above its high-water mark, resume it, and deliver every message`, async () => {
    const server = await lab!.startEchoServer();
    const socket = connect<Uint8Array, Uint8Array>(server.url, {
      codec: binary(),
      heartbeat: false,
      backpressure: { highWaterMark: HIGH_WATER_MARK },
      reconnect: { backoff: constantBackoff(100) },
    });
    const events: SocketEvent[] = [];
    const statuses: SocketStatus[] = [];
    let echoes = 0;
    let paused = false;
    let sent = 0;
    const subscriptions = [
      socket.events$.subscribe((e) => {
        events.push(e);
        if (e.type === 'backpressure') paused = e.paused;
      }),
      socket.state$.subscribe((s) => statuses.push(s.status)),
      socket.messages$.subscribe(() => echoes++),
    ];
    // Sends a 16 KiB message every 5 ms (3 MiB/s, far above the link) unless writing is paused.
    const sender = setInterval(() => {
      if (paused || sent >= MESSAGES || socket.state.status !== 'open') return;
      socket.send(new Uint8Array(MESSAGE_SIZE).fill(sent & 0xff));
      sent++;
    }, 5);
    lab!.throttle(SLOW_LINK);
    try {
      const started = Date.now();
      await until(() => echoes === MESSAGES, 20_000, () => `${echoes} of ${MESSAGES} echoes, ${sent} sent, server got ${server.bytes()} bytes`);
      const backpressure = events.filter((e): e is SocketEvent & { type: 'backpressure' } => e.type === 'backpressure');
      expect(backpressure.length, 'paused and resumed at least once').to.be.at.least(2);
      expect(backpressure[0]!.paused).to.equal(true);
      expect(backpressure[0]!.bufferedAmount, 'paused above the high-water mark').to.be.above(HIGH_WATER_MARK);
      expect(backpressure.at(-1)!.paused, 'resumed at the end').to.equal(false);
      expect(server.bytes()).to.equal(MESSAGES * MESSAGE_SIZE);
      expect(events.filter((e) => e.type === 'dropped')).to.deep.equal([]);
      expect(events.filter((e) => e.type === 'sent')).to.have.length(MESSAGES);
      expect(statuses.filter((s, i) => i === 0 || statuses[i - 1] !== s)).to.deep.equal(['connecting', 'open']);
      expect(Date.now() - started, 'the link, not the test, set the pace').to.be.above(3000);
    } finally {
      clearInterval(sender);
      subscriptions.forEach((s) => s.unsubscribe());
      socket.close();
      lab!.throttle(undefined);
      await server.stop();
    }
  });
});

/** Polls `predicate` every 10 ms until it holds, or rejects after `ms` with `detail()`. */
function until(predicate: () => boolean, ms: number, detail: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out after ${ms} ms: ${detail()}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}
