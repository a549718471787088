import { expect } from 'chai';
import { Subject } from 'rxjs';
import { marbles } from 'rxjs-marbles/mocha';
import { exponentialBackoff } from '../../src/backoff/exponential-backoff';
import { ReconnectAttempt, reconnect } from '../../src/operators/reconnect';
import { dropped } from './support';

const doubling = exponentialBackoff({ initialDelay: 2, maxDelay: 1000, factor: 2, jitter: 'none' });

describe('reconnect: onAttempt', () => {
  it('should tell an Observer of each attempt at the failure, before the wait, and never complete it', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const attempts = new Subject<ReconnectAttempt>();
    const subs = [
      '^!                 ',
      '---^!              ',
      '--------^!         ',
      '-----------------^!',
    ];
    const expected =
      '------------------#';
    const told =
      '-x--y----z         ';
    const values = {
      x: { attempt: 1, delay: 2, error },
      y: { attempt: 2, delay: 4, error },
      z: { attempt: 3, delay: 8, error },
    };
    m.expect(attempts).toBeObservable(told, values);
    const result = source.pipe(reconnect({ backoff: doubling, maxAttempts: 3, onAttempt: attempts, scheduler: m.scheduler }));
    m.expect(result).toBeObservable(expected, undefined, error);
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should call a callback with { attempt, delay, error } at the frame of each failure', marbles((m) => {
    const error = dropped();
    const source = m.cold('-#', undefined, error);
    const told: (ReconnectAttempt & { frame: number })[] = [];
    const result = source.pipe(
      reconnect({
        backoff: doubling,
        maxAttempts: 2,
        onAttempt: (a) => told.push({ ...a, frame: m.scheduler.now() }),
        scheduler: m.scheduler,
      }),
    );
    m.expect(result).toBeObservable('---------#', undefined, error);
    m.flush();
    expect(told).to.have.length(2);
    expect(told[0]).to.deep.equal({ attempt: 1, delay: 2, error, frame: 1 });
    expect(told[1]).to.deep.equal({ attempt: 2, delay: 4, error, frame: 4 });
    expect(told[0]!.error).to.equal(error);
  }));

  it('should call only next of an Observer: not error or complete when it gives up', marbles((m) => {
    const error = dropped();
    const called: string[] = [];
    const result = m.cold('-#', undefined, error).pipe(
      reconnect({
        backoff: doubling,
        maxAttempts: 1,
        onAttempt: { error: () => called.push('error'), complete: () => called.push('complete') },
        scheduler: m.scheduler,
      }),
    );
    m.expect(result).toBeObservable('----#', undefined, error);
    m.flush();
    expect(called).to.deep.equal([]);
  }));

  it('should not be told when the error is not retried', marbles((m) => {
    const told: ReconnectAttempt[] = [];
    const result = m.cold('-#', undefined, dropped()).pipe(
      reconnect({ shouldReconnect: () => false, onAttempt: (a) => told.push(a), scheduler: m.scheduler }),
    );
    m.expect(result).toBeObservable('-#', undefined, dropped());
    m.flush();
    expect(told).to.deep.equal([]);
  }));
});
