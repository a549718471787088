/**
 * Channel identity: two channel() calls share one subscription exactly when
 * their topic and params are the same JSON, whatever the order of the keys,
 * and an own `__proto__` key (as JSON.parse makes) is a key like any other.
 * Checked against a real topic server (spec/support/topics-server.ts).
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import type { Socket } from '../../src/client/socket';
import { jsonTopics, JsonTopicsMessage } from '../../src/protocols/json-topics';
import { socketFixture, waitFor } from '../support/client-server';
import { startTopicsServer, TopicsServer } from '../support/topics-server';

type TopicsSocket = Socket<JsonTopicsMessage, JsonTopicsMessage>;

describe('channel identity', () => {
  let server: TopicsServer;
  const fixture = socketFixture();

  beforeEach(async () => {
    server = fixture.adopt(await startTopicsServer());
  });
  afterEach(() => fixture.dispose());

  /** The subscribe messages the server has received, without ids, as JSON (so an own `__proto__` key shows). */
  async function subscribesSeen(s: TopicsSocket): Promise<string[]> {
    // A request round trip: everything sent before it has reached the server.
    await firstValueFrom(s.request({ type: 'echo', value: 'barrier' }, { timeout: 2000 }));
    const connection = server.connections[0];
    if (connection === undefined) throw new Error('no connection');
    return connection.messages.filter((m) => m['type'] === 'subscribe').map(({ id: _id, ...rest }) => JSON.stringify(rest));
  }

  it('should send two subscribes when the params differ only in an own __proto__ key', async () => {
    const { s, rec } = fixture.open(server.url, { protocol: jsonTopics() });
    const withProto: unknown = JSON.parse('{"__proto__":{"x":1}}');
    expect(Object.keys(withProto as object), 'JSON.parse makes __proto__ an own key').to.deep.equal(['__proto__']);
    const plain = fixture.watch(s.channel('prices', {}));
    const proto = fixture.watch(s.channel('prices', withProto));
    await rec.reach('open');
    await waitFor(() => (server.connections[0]?.subscribes.get('prices') ?? 0) >= 2, 'two subscribes', 2000);
    expect(await subscribesSeen(s)).to.deep.equal([
      '{"type":"subscribe","topic":"prices","params":{}}',
      '{"type":"subscribe","topic":"prices","params":{"__proto__":{"x":1}}}',
    ]);
    expect(plain.error).to.equal(undefined);
    expect(proto.error).to.equal(undefined);
  });

  it('should share one subscribe between params that differ only in key order', async () => {
    const { s, rec } = fixture.open(server.url, { protocol: jsonTopics() });
    fixture.watch(s.channel('prices', { a: 1, b: 2 }));
    fixture.watch(s.channel('prices', { b: 2, a: 1 }));
    fixture.watch(s.channel('prices', { a: 1, b: { d: 4, c: 3 } }));
    fixture.watch(s.channel('prices', { b: { c: 3, d: 4 }, a: 1 }));
    await rec.reach('open');
    expect(await subscribesSeen(s)).to.deep.equal([
      '{"type":"subscribe","topic":"prices","params":{"a":1,"b":2}}',
      '{"type":"subscribe","topic":"prices","params":{"a":1,"b":{"d":4,"c":3}}}',
    ]);
  });
});
