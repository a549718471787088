/**
 * The socket's events$ as Telemetry keeps it: nothing is built while nobody listens, every event is stamped with the
 * scheduler's clock, a throw from user code becomes a callback-error event, and events$ completes when the socket
 * ends, for a late reader too.
 */
import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import type { SocketEvent } from '../../src/client/events';
import { Telemetry } from '../../src/client/telemetry';

function setup() {
  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = 42;
  return { scheduler, telemetry: new Telemetry(scheduler) };
}

describe('Telemetry', () => {
  it('should report nobody listening before events$ is read, and while it is read but not subscribed', () => {
    const { telemetry } = setup();
    expect(telemetry.observed).to.equal(false);
    const events$ = telemetry.events$;
    expect(telemetry.observed).to.equal(false);
    const subscription = events$.subscribe();
    expect(telemetry.observed).to.equal(true);
    subscription.unsubscribe();
    expect(telemetry.observed).to.equal(false);
  });

  it("should stamp each event with the scheduler's now(), not the wall clock", () => {
    const { telemetry } = setup();
    const seen: SocketEvent[] = [];
    telemetry.events$.subscribe((event) => seen.push(event));
    telemetry.emit({ type: 'connecting', attempt: 1, url: 'ws://h/' });
    expect(seen).to.deep.equal([{ type: 'connecting', attempt: 1, url: 'ws://h/', time: 42 }]);
  });

  it('should give every subscriber of events$ the same events, whenever it was read', () => {
    const { telemetry } = setup();
    const first: string[] = [];
    const second: string[] = [];
    telemetry.events$.subscribe((event) => first.push(event.type));
    telemetry.events$.subscribe((event) => second.push(event.type));
    telemetry.emit({ type: 'connecting', attempt: 2, url: 'ws://h/' });
    expect(first).to.deep.equal(['connecting']);
    expect(second).to.deep.equal(['connecting']);
  });

  it('should drop an event emitted while nobody listens, and not replay it to a later subscriber', () => {
    const { telemetry } = setup();
    telemetry.emit({ type: 'connecting', attempt: 1, url: 'ws://h/' });
    const events$ = telemetry.events$;
    telemetry.emit({ type: 'connecting', attempt: 2, url: 'ws://h/' });
    const seen: number[] = [];
    events$.subscribe((event) => seen.push((event as { attempt: number }).attempt));
    telemetry.emit({ type: 'connecting', attempt: 3, url: 'ws://h/' });
    expect(seen).to.deep.equal([3]);
  });

  it('should report a throw from user code as a callback-error event naming its source', () => {
    const { telemetry } = setup();
    const seen: SocketEvent[] = [];
    telemetry.events$.subscribe((event) => seen.push(event));
    const error = new Error('boom');
    telemetry.userError('protocol.idOf', error);
    expect(seen).to.deep.equal([{ type: 'callback-error', source: 'protocol.idOf', error, time: 42 }]);
  });

  it('should complete events$ when the socket ends, for a subscriber already there and for one that reads it later', () => {
    const { telemetry } = setup();
    const early: string[] = [];
    telemetry.events$.subscribe({ complete: () => early.push('complete') });
    telemetry.complete();
    expect(early).to.deep.equal(['complete']);
    const late: string[] = [];
    telemetry.events$.subscribe({ next: () => late.push('next'), complete: () => late.push('complete') });
    expect(late).to.deep.equal(['complete']);
  });

  it('should complete events$ first read after the socket ended, without any event', () => {
    const { telemetry } = setup();
    telemetry.complete();
    const seen: string[] = [];
    telemetry.events$.subscribe({ next: () => seen.push('next'), complete: () => seen.push('complete') });
    telemetry.emit({ type: 'connecting', attempt: 1, url: 'ws://h/' });
    expect(seen).to.deep.equal(['complete']);
  });

  it('should hand out events$ as a read-only Observable, not the subject behind it', () => {
    const { telemetry } = setup();
    expect(telemetry.events$).not.to.have.property('next');
  });
});
