/**
 * Secrets in the URL never reach events$, state$ or a log line: a real socket
 * connects (and reconnects, after a server close and a refused upgrade) to a
 * URL with userinfo and secret query parameters, and everything it emits is
 * searched for them. Both a fixed URL and a per-attempt URL function.
 */
import { expect } from 'chai';
import { inspect } from 'util';
import type { SocketEvent } from '../../src/client/events';
import type { SocketState } from '../../src/client/state';
import { constantBackoff, logTo, redactUrl } from '../../src/index';
import { connect } from '../../src/node';
import { socketFixture, startClientServer, waitFor } from '../support/client-server';

/** One distinct value per secret, so a leak names what leaked. */
const SECRETS = {
  password: 'PW-hunter2',
  token: 'TK-eyJhbGciOi',
  client_secret: 'CS-0xdeadbeef',
  'X-Amz-Signature': 'SG-a1b2c3d4',
  code: 'OC-authcode42',
  'api-key': 'AK-live-9f8e',
};

const query = (): string =>
  `room=7&token=${SECRETS.token}&client_secret=${SECRETS.client_secret}&X-Amz-Signature=${SECRETS['X-Amz-Signature']}&code=${SECRETS.code}&api-key=${SECRETS['api-key']}`;

function expectNoSecret(what: string, text: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) expect(text, `${name} in ${what}`).not.to.include(secret);
  expect(text, `the user name in ${what}`).not.to.include('ann:');
}

describe('secrets in the URL', () => {
  const fixture = socketFixture();
  afterEach(() => fixture.dispose());

  for (const form of ['a fixed URL', 'a URL function'] as const) {
    it(`should never reach events$, state$ or logTo's lines when the socket connects, reconnects and closes, with ${form}`, async () => {
      const srv = fixture.adopt(await startClientServer({ refuse: (_request, index) => (index === 1 ? { status: 503 } : undefined) }));
      const raw = `ws://ann:${SECRETS.password}@127.0.0.1:${srv.port}/feed?${query()}`;
      const s = connect<string, string>(form === 'a fixed URL' ? raw : () => raw, {
        heartbeat: false,
        lazy: true,
        reconnect: { backoff: constantBackoff(20) },
      });
      const events: SocketEvent[] = [];
      const states: SocketState[] = [];
      const lines: string[] = [];
      const log = (message: string, details?: Record<string, unknown>): number => lines.push(`${message} ${JSON.stringify(details)}`);
      fixture.hold(
        s.events$.subscribe((e) => events.push(e)),
        s.state$.subscribe((state) => states.push(state)),
        s.events$.subscribe(logTo({ debug: log, info: log, warn: log, error: log }, { level: 'debug' })),
      );
      fixture.track(s);
      s.send('hi');
      await waitFor(() => srv.connections.length === 1 && srv.connections[0]!.messages.length === 1, 'the first connection');
      expect(srv.upgrades[0]!.headers.authorization, 'the server still gets the credentials').to.be.a('string');
      srv.connections[0]!.socket.close(1011, 'restarting');
      await waitFor(() => srv.connections.length === 2 && s.state.status === 'open', 'a reconnect past the refusal', 5000, () => states.map((x) => x.status).join(' '));
      s.close();
      await waitFor(() => s.state.status === 'closed', 'closed');

      const shown = redactUrl(raw);
      expect(shown).to.equal(`ws://127.0.0.1:${srv.port}/feed?room=7&token=[redacted]&client_secret=[redacted]&X-Amz-Signature=[redacted]&code=[redacted]&api-key=[redacted]`);
      const withUrl = events.filter((e): e is SocketEvent & { url: string } => 'url' in e);
      expect(withUrl.map((e) => e.type)).to.deep.equal(['connecting', 'opened', 'connecting', 'connecting', 'opened']);
      for (const event of withUrl) expect(event.url, event.type).to.equal(shown);
      for (const state of states) if ('url' in state) expect(state.url, state.status).to.equal(shown);
      expect(events.map((e) => e.type)).to.include.members(['closed', 'reconnect-scheduled']);
      expectNoSecret('events$', inspect(events, { depth: 20, showHidden: false }));
      expectNoSecret('state$', inspect(states, { depth: 20, showHidden: false }));
      expectNoSecret('the log', lines.join('\n'));
      expect(lines.length).to.be.greaterThan(5);
    });
  }
});
