import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';
import { InvalidOptionsError } from '../../src/errors';
import { ReconnectConfig, reconnect, resolveReconnectConfig } from '../../src/operators/reconnect';

/** Asserts that `reconnect(config)` throws at once an InvalidOptionsError whose message names every fragment. */
function rejects(config: unknown, ...fragments: string[]): void {
  let thrown: unknown;
  try {
    reconnect(config as ReconnectConfig);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `no error for ${fragments.join(' ')}`).to.be.instanceOf(InvalidOptionsError);
  for (const fragment of fragments) expect((thrown as Error).message).to.include(fragment);
}

describe('reconnect: options', () => {
  it('should reject a maxAttempts that is negative, fractional or NaN, naming it', () => {
    rejects(-1, 'maxAttempts', '-1');
    rejects({ maxAttempts: 1.5 }, 'maxAttempts', '1.5');
    rejects({ maxAttempts: NaN }, 'maxAttempts', 'NaN');
    rejects({ maxAttempts: '3' }, 'maxAttempts', '"3"');
  });

  it('should reject a negative or NaN maxElapsed or resetAfter, naming it', () => {
    rejects({ maxElapsed: -1 }, 'maxElapsed', '-1');
    rejects({ maxElapsed: NaN }, 'maxElapsed', 'NaN');
    rejects({ resetAfter: -5 }, 'resetAfter', '-5');
    rejects({ resetAfter: NaN }, 'resetAfter', 'NaN');
  });

  it('should reject callbacks and collaborators of the wrong type', () => {
    rejects({ backoff: 1000 }, 'backoff', '1000');
    rejects({ shouldReconnect: true }, 'shouldReconnect', 'true');
    rejects({ onAttempt: 'log' }, 'onAttempt', '"log"');
    rejects({ onAttempt: { next: 1 } }, 'onAttempt');
    rejects({ random: 0.5 }, 'random', '0.5');
    rejects({ scheduler: {} }, 'scheduler');
    rejects({ respectRetryAfter: 'yes' }, 'respectRetryAfter', '"yes"');
  });

  it('should reject shouldReconnect and policy together', () => {
    rejects({ shouldReconnect: () => true, policy: {} }, 'shouldReconnect', 'policy');
  });

  it('should reject a bad policy entry through closePolicy', () => {
    rejects({ policy: { codes: { 4000: 'maybe' } } }, '4000', '"maybe"');
  });

  it('should reject an argument that is neither a count nor a config', () => {
    rejects(null, 'null');
    rejects('5', '"5"');
  });

  it('should accept Infinity for maxAttempts, maxElapsed and resetAfter, and apply the documented defaults', () => {
    expect(() => reconnect({ maxAttempts: Infinity, maxElapsed: Infinity, resetAfter: Infinity })).not.to.throw();
    const resolved = resolveReconnectConfig();
    expect(resolved.maxAttempts).to.equal(Infinity);
    expect(resolved.maxElapsed).to.equal(Infinity);
    expect(resolved.resetAfter).to.equal(5000);
    expect(resolved.respectRetryAfter).to.equal(true);
    expect(resolved.scheduler).to.equal(asyncScheduler);
    expect(resolved.random).to.equal(Math.random);
    // The default backoff is full jitter from 1 s up to 30 s.
    expect(resolved.backoff(1, 0, () => 0.5)).to.equal(500);
    expect(resolved.backoff(10, 0, () => 0.5)).to.equal(15000);
    expect(resolveReconnectConfig(3).maxAttempts).to.equal(3);
  });
});
