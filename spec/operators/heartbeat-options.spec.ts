import { expect } from 'chai';
import { VirtualTimeScheduler } from 'rxjs';
import { InvalidOptionsError } from '../../src/errors';
import { createHeartbeat, heartbeat } from '../../src/operators/heartbeat';
import { wheelCount } from '../../src/operators/heartbeat-wheel';

describe('heartbeat(): its options', () => {
  const ping = (): void => undefined;

  it('should throw InvalidOptionsError naming what it got when the config is not an object', () => {
    expect(() => heartbeat(null as never)).to.throw(InvalidOptionsError, 'heartbeat config must be an object, got null');
    expect(() => heartbeat(5 as never)).to.throw(InvalidOptionsError, 'heartbeat config must be an object, got number');
    expect(() => heartbeat(undefined as never)).to.throw(InvalidOptionsError, 'heartbeat config must be an object, got undefined');
  });

  it('should require ping, and name each callback that is not a function', () => {
    expect(() => heartbeat({} as never)).to.throw(InvalidOptionsError, 'heartbeat ping must be a function, got undefined');
    expect(() => heartbeat({ ping, isPong: 1 as never })).to.throw(InvalidOptionsError, 'heartbeat isPong must be a function, got number');
    expect(() => heartbeat({ ping, onRtt: 'x' as never })).to.throw(InvalidOptionsError, 'heartbeat onRtt must be a function, got string');
    expect(() => heartbeat({ ping, extend: null as never })).to.throw(InvalidOptionsError, 'heartbeat extend must be a function, got null');
  });

  it('should accept a config with only ping', () => {
    expect(heartbeat({ ping })).to.be.a('function');
  });
});

describe('createHeartbeat(): its options', () => {
  const scheduler = new VirtualTimeScheduler();
  const base = { interval: 10, timeout: 4, scheduler, ping: (): void => undefined, onTimeout: (): void => undefined };

  it('should throw InvalidOptionsError naming what it got when the config is not an object', () => {
    expect(() => createHeartbeat(null as never)).to.throw(InvalidOptionsError, 'heartbeat config must be an object, got null');
    expect(() => createHeartbeat('x' as never)).to.throw(InvalidOptionsError, 'heartbeat config must be an object, got string');
  });

  it('should refuse a scheduler that is null or cannot schedule', () => {
    expect(() => createHeartbeat({ ...base, scheduler: null as never })).to.throw(InvalidOptionsError, 'heartbeat scheduler must be an rxjs SchedulerLike (with now() and schedule())');
    expect(() => createHeartbeat({ ...base, scheduler: { now: () => 0 } as never })).to.throw(InvalidOptionsError, 'heartbeat scheduler must be an rxjs SchedulerLike (with now() and schedule())');
  });

  it('should require ping and onTimeout, and name each callback that is not a function', () => {
    expect(() => createHeartbeat({ ...base, ping: undefined as never })).to.throw(InvalidOptionsError, 'heartbeat ping must be a function, got undefined');
    expect(() => createHeartbeat({ ...base, onRtt: 3 as never })).to.throw(InvalidOptionsError, 'heartbeat onRtt must be a function, got number');
    expect(() => createHeartbeat({ ...base, onError: {} as never })).to.throw(InvalidOptionsError, 'heartbeat onError must be a function, got object');
  });

  it('should accept the optional callbacks as functions or left out', () => {
    const timer = createHeartbeat({ ...base, onRtt: () => undefined, extend: () => 0, onError: () => undefined });
    expect(timer.running).to.equal(false);
  });

  it('should count no wheels on a scheduler no heartbeat has used', () => {
    expect(wheelCount(new VirtualTimeScheduler())).to.equal(0);
  });
});
