/** `tokenBucket()`: the rate limit `connect({ rateLimit })` takes, checked where it is made. */
import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { connect } from '../../src/node';
import { isRateLimit, tokenBucket } from '../../src/client/rate-limit';
import { InvalidOptionsError } from '../../src/errors';

describe('tokenBucket()', () => {
  it('should throw InvalidOptionsError naming the option and the value when capacity, refillPerSecond or cost is invalid', () => {
    expect(() => tokenBucket({ capacity: 0 })).to.throw(InvalidOptionsError, 'options.rateLimit.capacity must be a positive finite number, got 0');
    expect(() => tokenBucket({ capacity: Infinity })).to.throw(InvalidOptionsError, 'got Infinity');
    expect(() => tokenBucket({ refillPerSecond: -1 })).to.throw(InvalidOptionsError, 'options.rateLimit.refillPerSecond must be a positive finite number, got -1');
    expect(() => tokenBucket({ cost: 2 as never })).to.throw(InvalidOptionsError, 'options.rateLimit.cost must be a function, got number');
  });

  it('should say its kind and the options it runs with, defaults applied', () => {
    const limit = tokenBucket({ capacity: 3 });
    expect(limit.kind).to.equal('token-bucket');
    expect(limit.options).to.include({ capacity: 3, refillPerSecond: 10 });
    expect(limit.options.cost('anything')).to.equal(1);
  });

  it('should give each socket its own bucket on the socket scheduler, full at the start and refilled on that clock', () => {
    const scheduler = new VirtualTimeScheduler();
    const limit = tokenBucket<string>({ capacity: 2, refillPerSecond: 10, cost: (m) => m.length });
    const a = limit.start(scheduler);
    const b = limit.start(scheduler);
    expect(a.tryTake(a.cost('xx'))).to.equal(true);
    expect(a.tryTake(1)).to.equal(false);
    expect(a.waitFor(1)).to.equal(100);
    expect(b.tryTake(2)).to.equal(true);
    expect(() => a.cost('xxx')).to.throw(InvalidOptionsError, 'options.rateLimit.cost returned 3: it must be a number from 0 to the capacity 2');
  });

  it('should make connect() throw InvalidOptionsError naming tokenBucket() when rateLimit is a plain options object', () => {
    const plain = { capacity: 1, refillPerSecond: 1 } as never;
    expect(() => connect('ws://127.0.0.1:9', { rateLimit: plain, lazy: true })).to.throw(InvalidOptionsError, 'rateLimit: tokenBucket({ ... })');
  });

  it('should refuse a capacity or refill rate that is not a number, or NaN', () => {
    expect(() => tokenBucket({ capacity: '5' as never })).to.throw(InvalidOptionsError, 'options.rateLimit.capacity must be a positive finite number, got 5');
    expect(() => tokenBucket({ refillPerSecond: Number.NaN })).to.throw(InvalidOptionsError, 'refillPerSecond must be a positive finite number, got NaN');
    expect(() => tokenBucket({ capacity: 0.5, refillPerSecond: 0.1 })).not.to.throw();
  });

  it('should refuse a cost that is negative, NaN or not a number, and accept 0 and the capacity itself', () => {
    const costs: unknown[] = [-1, Number.NaN, '1', 0, 2];
    const bucket = tokenBucket<number>({ capacity: 2, cost: (i) => costs[i] as number }).start(new VirtualTimeScheduler());
    expect(() => bucket.cost(0)).to.throw(InvalidOptionsError, 'options.rateLimit.cost returned -1');
    expect(() => bucket.cost(1)).to.throw(InvalidOptionsError, 'options.rateLimit.cost returned NaN');
    expect(() => bucket.cost(2)).to.throw(InvalidOptionsError, 'options.rateLimit.cost returned 1: it must be a number');
    expect(bucket.cost(3)).to.equal(0);
    expect(bucket.cost(4)).to.equal(2);
  });

  it('should refill continuously at refillPerSecond on the scheduler clock, never above the capacity', () => {
    const scheduler = new VirtualTimeScheduler();
    const bucket = tokenBucket({ capacity: 3, refillPerSecond: 10 }).start(scheduler);
    expect(bucket.tryTake(3)).to.equal(true);
    expect(bucket.tryTake(1)).to.equal(false);
    scheduler.frame = 100;
    expect(bucket.tryTake(1)).to.equal(true);
    expect(bucket.tryTake(1)).to.equal(false);
    scheduler.frame = 60_000;
    expect(bucket.tryTake(3)).to.equal(true);
    expect(bucket.tryTake(0.5)).to.equal(false);
  });

  it('should neither refill nor take tokens away when the scheduler clock goes back (a wall-clock adjustment)', () => {
    const scheduler = new VirtualTimeScheduler();
    scheduler.frame = 1000;
    const bucket = tokenBucket({ capacity: 2, refillPerSecond: 10 }).start(scheduler);
    expect(bucket.tryTake(1)).to.equal(true);
    scheduler.frame = 0;
    expect(bucket.tryTake(1)).to.equal(true);
    expect(bucket.tryTake(1)).to.equal(false);
    // The refill resumes once the clock passes where it was.
    scheduler.frame = 1100;
    expect(bucket.tryTake(1)).to.equal(true);
    expect(bucket.tryTake(1)).to.equal(false);
  });

  it('should keep what is left after a take, so a burst spends the tokens one by one', () => {
    const bucket = tokenBucket({ capacity: 3 }).start(new VirtualTimeScheduler());
    expect([bucket.tryTake(1), bucket.tryTake(1), bucket.tryTake(1), bucket.tryTake(1)]).to.deep.equal([true, true, true, false]);
  });

  it('should give refunded tokens back, never above the capacity', () => {
    const bucket = tokenBucket({ capacity: 2 }).start(new VirtualTimeScheduler());
    expect(bucket.tryTake(2)).to.equal(true);
    bucket.refund(2);
    expect(bucket.tryTake(2)).to.equal(true);
    bucket.refund(1);
    bucket.refund(5);
    expect(bucket.tryTake(2)).to.equal(true);
    expect(bucket.tryTake(1)).to.equal(false);
  });

  it('should say how long until a cost is available: 0 when it is now, else the whole milliseconds left', () => {
    const scheduler = new VirtualTimeScheduler();
    const bucket = tokenBucket({ capacity: 2, refillPerSecond: 10 }).start(scheduler);
    expect(bucket.waitFor(1)).to.equal(0);
    expect(bucket.waitFor(2)).to.equal(0);
    expect(bucket.tryTake(2)).to.equal(true);
    expect(bucket.waitFor(0)).to.equal(0);
    expect(bucket.waitFor(0.5)).to.equal(50);
    expect(bucket.waitFor(2)).to.equal(200);
    scheduler.frame = 30;
    expect(bucket.waitFor(1)).to.equal(70);
    scheduler.frame = 100;
    expect(bucket.waitFor(1)).to.equal(0);
  });

  it('should not let floating-point refill arithmetic cost a message its turn or a millisecond of waiting', () => {
    // 7 tokens per second, looked at every millisecond: after 1 s the sum is 6.99999999999988, not 7.
    const scheduler = new VirtualTimeScheduler();
    const bucket = tokenBucket({ capacity: 7, refillPerSecond: 7 }).start(scheduler);
    expect(bucket.tryTake(7)).to.equal(true);
    for (let t = 1; t < 1000; t++) {
      scheduler.frame = t;
      bucket.waitFor(7);
    }
    scheduler.frame = 1000;
    expect(bucket.waitFor(7)).to.equal(0);
    expect(bucket.tryTake(7)).to.equal(true);
    // 11 per second, 1 ms after a drain: 10.989 / 0.011 is 999.0000000000001 ms, which is 999 ms.
    const eleven = tokenBucket({ capacity: 11, refillPerSecond: 11 }).start(scheduler);
    expect(eleven.tryTake(11)).to.equal(true);
    scheduler.frame = 1001;
    expect(eleven.waitFor(11)).to.equal(999);
  });

  it('should tell a rate limit from other values', () => {
    expect(isRateLimit(tokenBucket())).to.equal(true);
    expect(isRateLimit({ start: 1 })).to.equal(false);
    expect(isRateLimit({ capacity: 1 })).to.equal(false);
    expect(isRateLimit(null)).to.equal(false);
    expect(isRateLimit(() => 1)).to.equal(false);
    expect(isRateLimit(Object.assign(() => 1, { start: () => undefined }))).to.equal(false);
  });
});
