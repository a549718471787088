/** `tokenBucket()`: the rate limit `connect({ rateLimit })` takes, checked where it is made. */
import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { connect } from '../../src/node';
import { tokenBucket } from '../../src/client/rate-limit';
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
});
