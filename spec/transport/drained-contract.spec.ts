/**
 * The optional part of the Transport contract: `connection.drained()`,
 * checked on every implementation that offers it (wsTransport and
 * TestTransport; the WHATWG transport has no drain signal).
 */
import { expect } from 'chai';
import { Observable } from 'rxjs';
import { InvalidOptionsError } from '../../src/errors';
import { binaryFrame } from '../../src/frame';
import type { Transport, TransportConnection } from '../../src/transport/transport';
import { Deferred, within } from '../support/peers';
import { CONTRACT_PEERS, contractFixture } from './contract-peers';

for (const peers of CONTRACT_PEERS) {
  const transportUnderTest = peers;
  describe(`${peers.name} (the Transport contract: drained())`, () => {
    const server = peers.echo;
    const { watch, subscriptions } = contractFixture(peers);

    it('should offer drained() exactly when the transport has a drain signal', () => {
      const connection = transportUnderTest.make().open({ url: 'ws://127.0.0.1:9/' });
      expect(typeof connection.drained).to.equal(peers.name.startsWith('webSocketTransport') ? 'undefined' : 'function');
    });

    // drained() is optional: checked where the transport offers it (opening makes no network use).
    const drains = transportUnderTest.make().open({ url: 'ws://127.0.0.1:9/' }).drained !== undefined;
    if (drains) describe('drained()', () => {
      const drainable = (connection: ReturnType<Transport['open']>): NonNullable<TransportConnection['drained']> => {
        const drained = connection.drained;
        if (drained === undefined) throw new Error('no drained()');
        return drained.bind(connection);
      };
      const record = (observable: Observable<number>) => {
        const values: number[] = [];
        const done = new Deferred<void>();
        let completed = false;
        subscriptions.push(
          observable.subscribe({
            next: (value) => values.push(value),
            error: (error: unknown) => done.reject(error),
            complete: () => {
              completed = true;
              done.resolve();
            },
          }),
        );
        return { values, done: done.promise, completed: () => completed };
      };

      it('should complete without a value when no socket is open', () => {
        const connection = transportUnderTest.make().open({ url: server.url() });
        const drained = record(drainable(connection)(0));
        expect(drained.values).to.deep.equal([]);
        expect(drained.completed()).to.equal(true);
      });

      it('should emit the buffered amount and complete at once when it is at or below the threshold', async () => {
        const connection = transportUnderTest.make().open({ url: server.url() });
        await watch(connection.events).opened();
        const drained = record(drainable(connection)(1024));
        expect(drained.values).to.deep.equal([0]);
        expect(drained.completed()).to.equal(true);
      });

      it('should emit the buffered amount, then complete once the socket has written its buffer down to the threshold', async () => {
        const connection = transportUnderTest.make().open({ url: server.url() });
        const recording = watch(connection.events);
        await recording.opened();
        const big = new Uint8Array(4 * 1024 * 1024);
        connection.frames.next([binaryFrame(big), binaryFrame(big), binaryFrame(big)]);
        const drained = record(drainable(connection)(0));
        expect(drained.values).to.have.length(1);
        expect(drained.values[0]).to.be.greaterThan(0);
        expect(drained.completed()).to.equal(false);
        await within(drained.done, 5000, 'drained(0) to complete');
        expect(connection.state().bufferedAmount).to.equal(0);
        expect(drained.values).to.have.length(1);
      });

      it('should complete without a further value when the socket ends while it waits, and stop waiting when unsubscribed', async () => {
        const connection = transportUnderTest.make().open({ url: server.url() });
        const recording = watch(connection.events);
        await recording.opened();
        const big = new Uint8Array(4 * 1024 * 1024);
        connection.frames.next([binaryFrame(big), binaryFrame(big)]);
        const cancelled = record(drainable(connection)(0));
        subscriptions[subscriptions.length - 1].unsubscribe();
        const ended = record(drainable(connection)(0));
        expect(ended.values).to.have.length(1);
        recording.subscription.unsubscribe();
        expect(ended.completed()).to.equal(true);
        expect(ended.values).to.have.length(1);
        expect(cancelled.completed()).to.equal(false);
      });

      it('should throw InvalidOptionsError for a threshold that is not a number of bytes', () => {
        const drained = drainable(transportUnderTest.make().open({ url: server.url() }));
        for (const bad of [-1, Number.NaN, Infinity, '10' as unknown as number]) {
          expect(() => drained(bad)).to.throw(InvalidOptionsError, 'threshold');
        }
      });
    });
  });
}
