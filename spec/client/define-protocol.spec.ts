import { expect } from 'chai';
import { connect } from '../../src/client/connect';
import { defineProtocol } from '../../src/client/define-protocol';
import type { Protocol } from '../../src/client/protocol';
import { TestTransport } from '../../src/testing/test-transport';
import { invalidOptionsMessage } from '../support/invalid-options';

type Msg = { op: string; ch?: string; id?: number };

describe('defineProtocol()', () => {
  it('should refuse an adapter that is not an object, naming what it got', () => {
    expect(invalidOptionsMessage(() => defineProtocol(null as never))).to.equal('rxnova: invalid options: defineProtocol() takes a protocol adapter object, got null');
    expect(invalidOptionsMessage(() => defineProtocol('jsonRpc' as never))).to.equal('rxnova: invalid options: defineProtocol() takes a protocol adapter object, got string');
  });

  it('should refuse an adapter with only one of withId() and idOf()', () => {
    const rule = 'rxnova: invalid options: a protocol adapter must have both withId() and idOf() to correlate responses, or neither';
    expect(invalidOptionsMessage(() => defineProtocol<Msg, Msg>({ withId: (message, id) => ({ ...message, id }) }))).to.equal(rule);
    expect(invalidOptionsMessage(() => defineProtocol<Msg, Msg>({ idOf: (message) => message.id }))).to.equal(rule);
    expect(() => defineProtocol<Msg, Msg>({ withId: (message, id) => ({ ...message, id }), idOf: (message) => message.id })).to.not.throw();
  });

  it('should make connect() refuse a protocol adapter that was not defined with it, saying what to use', () => {
    const plain: Protocol<Msg, Msg> = { subscribe: (topic) => ({ op: 'sub', ch: topic }) };
    for (const protocol of [plain, null, () => plain]) {
      expect(invalidOptionsMessage(() => connect<Msg, Msg>('ws://example.test', { transport: new TestTransport(), protocol: protocol as never }))).to.match(
        /^rxnova: invalid options: options\.protocol must be an adapter made by defineProtocol\(\{ \.\.\. \}\)/,
      );
    }
  });

  it("should keep the methods of a class-based adapter's prototype", () => {
    class Feed implements Protocol<Msg, Msg> {
      subscribe(topic: string): Msg {
        return { op: 'sub', ch: topic };
      }
    }
    const protocol = defineProtocol<Msg, Msg>(new Feed());
    expect(protocol.subscribe!('trades', undefined)).to.deep.equal({ op: 'sub', ch: 'trades' });
    expect(protocol).to.be.instanceOf(Feed);
  });
});
