/**
 * online() and visible(): which targets they accept, and that they listen only
 * while subscribed. How a socket uses them (retryOn) is in
 * marbles/client/retry-now.spec.ts.
 */
import { expect } from 'chai';
import { InvalidOptionsError } from '../../src/errors';
import { online, TriggerEvent } from '../../src/triggers/online';
import { visible } from '../../src/triggers/visible';
import { invalidOptionsMessage } from '../support/invalid-options';

describe('online() and visible()', () => {
  it('should refuse a target that is null, not an object, or lacks addEventListener or removeEventListener, saying what it got', () => {
    const listen = { addEventListener: () => undefined, removeEventListener: () => undefined };
    const message = (target: unknown): string => invalidOptionsMessage(() => online(target as never));
    expect(message(null)).to.contain('online() needs an EventTarget to listen on (a window); got null.');
    expect(message('window')).to.contain('got string.');
    expect(message({ addEventListener: listen.addEventListener })).to.contain('got object.');
    expect(message({ removeEventListener: listen.removeEventListener })).to.contain('got object.');
    expect(() => online(listen)).to.not.throw();
    expect(() => visible(null as never)).to.throw(InvalidOptionsError, 'visible() needs an EventTarget to listen on (a document); got null.');
  });

  it('should listen only while subscribed', () => {
    const window = new EventTarget();
    const seen: TriggerEvent[] = [];
    const subscription = online(window).subscribe((event) => seen.push(event));
    window.dispatchEvent(new Event('online'));
    window.dispatchEvent(new Event('offline'));
    subscription.unsubscribe();
    window.dispatchEvent(new Event('online'));
    expect(seen.map((event) => event.type)).to.deep.equal(['online']);
  });

  it('should remove the listener it added when unsubscribed', () => {
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const target = {
      addEventListener: (_type: string, listener: unknown) => void added.push(listener),
      removeEventListener: (_type: string, listener: unknown) => void removed.push(listener),
    };
    online(target).subscribe().unsubscribe();
    expect(added.length).to.equal(1);
    expect(removed).to.deep.equal(added);
  });
});
