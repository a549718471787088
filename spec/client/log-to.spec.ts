/**
 * logTo(): an Observer of events$ that writes to a console-like logger at the
 * configured levels, with secrets redacted. Checked against real servers
 * (the events a real socket emits) and with hand-made events (levels).
 */
import { expect } from 'chai';
import { constantBackoff } from '../../src/backoff/constant-backoff';
import type { SocketEvent } from '../../src/client/events';
import { LogLevel, logTo } from '../../src/client/log-to';
import { CodecError, ConnectError, HandshakeError, InvalidOptionsError } from '../../src/errors';
import { connect } from '../../src/node';
import { closedPort } from '../support/peers';
import { socketFixture, startClientServer, waitFor } from '../support/client-server';

interface Entry {
  readonly level: LogLevel;
  readonly message: string;
  readonly details: Record<string, unknown> | undefined;
}

/** A console-like logger that keeps what it is given. */
function fakeLogger(levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']) {
  const entries: Entry[] = [];
  const logger: { [L in LogLevel]?: (message: string, details?: Record<string, unknown>) => void } = {};
  for (const level of levels) logger[level] = (message, details) => entries.push({ level, message, details });
  return { logger, entries };
}

/** One event of each type, as a socket would emit them. */
const SAMPLE: readonly SocketEvent[] = [
  { type: 'connecting', attempt: 0, url: 'ws://h/', time: 0 },
  { type: 'opened', attempt: 0, url: 'ws://h/', protocol: '', connectTime: 3, time: 1 },
  { type: 'sent', kind: 'text', bytes: 5, time: 2 },
  { type: 'received', kind: 'text', bytes: 5, time: 3 },
  { type: 'rtt', rtt: 2, time: 4 },
  { type: 'backpressure', paused: true, bufferedAmount: 2_000_000, time: 5 },
  { type: 'dropped', reason: 'expired', message: 'm', bytes: 3, time: 6 },
  { type: 'heartbeat-timeout', timeout: 10, time: 7 },
  { type: 'closed', code: 1006, reason: '', wasClean: false, initiator: 'network', time: 8 },
  { type: 'reconnect-scheduled', attempt: 1, delay: 20, error: new Error('gone'), time: 9 },
  { type: 'gave-up', error: new Error('gone for good'), time: 10 },
];

const typeOf = (entry: Entry): string => {
  const match = SAMPLE.find((event) => entry.details?.['time'] === event.time);
  return match === undefined ? '?' : match.type;
};

describe('logTo()', () => {
  describe('with real sockets', () => {
    const fixture = socketFixture();

    afterEach(() => fixture.dispose());

    it('should log a connection at the default levels, with a token in the URL redacted', async () => {
      const srv = fixture.adopt(await startClientServer());
      const url = srv.url('/feed?token=s3cr3t&room=7');
      const s = connect(url, { heartbeat: false, lazy: true });
      const { logger, entries } = fakeLogger();
      const logging = s.events$.subscribe(logTo(logger, { level: 'debug' }));
      const rec = fixture.track(s);
      await rec.reach('open');
      s.send('hi');
      await waitFor(() => rec.messages.length === 1, 'the echo');
      s.close(4000, 'done');
      await rec.reach('closed');
      logging.unsubscribe();

      expect(entries.map((e) => [e.level, e.message.replace(/after \d+ ms/, 'after N ms')])).to.deep.equal([
        ['debug', `[rxnova] connecting to ${srv.url('/feed?token=[redacted]&room=7')} (attempt 0)`],
        ['info', `[rxnova] open ${srv.url('/feed?token=[redacted]&room=7')} after N ms (attempt 0)`],
        ['debug', '[rxnova] sent text 4 bytes'],
        ['debug', '[rxnova] received text 4 bytes'],
        ['info', '[rxnova] closed by client: code 4000 "done"'],
      ]);
      expect(entries[1]!.details).to.include({ url: srv.url('/feed?token=[redacted]&room=7'), attempt: 0, protocol: '' });
      expect(entries[1]!.details).to.not.have.property('type');
      expect(JSON.stringify(entries)).to.not.include('s3cr3t');
    });

    it('should redact a token in the URL inside error messages of reconnect and give-up events', async () => {
      const port = await closedPort();
      const s = connect(`ws://127.0.0.1:${port}/feed?access_token=abc123`, {
        heartbeat: false,
        reconnect: { backoff: constantBackoff(10), maxAttempts: 1 },
      });
      const { logger, entries } = fakeLogger();
      s.events$.subscribe(logTo(logger));
      const rec = fixture.track(s);
      await rec.reach('closed');
      expect(entries.map((e) => e.level)).to.deep.equal(['warn', 'error']);
      expect(entries[0]!.message).to.match(/^\[rxnova\] reconnecting in 10 ms \(attempt 1\): rxnova: could not connect to .*access_token=\[redacted\]/);
      expect(entries[1]!.message).to.match(/^\[rxnova\] gave up: rxnova: could not connect to .*access_token=\[redacted\]/);
      const error = entries[1]!.details!['error'] as Record<string, unknown>;
      expect(error).to.include({ name: 'ConnectError', code: 'RXNOVA_ERR_CONNECT', causeCode: 'ECONNREFUSED' });
      expect(error['message']).to.include('access_token=[redacted]');
      expect((s.state as { error?: unknown }).error).to.be.instanceOf(ConnectError);
      expect(JSON.stringify(entries)).to.not.include('abc123');
    });

    it('should redact Set-Cookie and other secret header fields of a refused handshake', async () => {
      const srv = fixture.adopt(await startClientServer({
        refuse: () => ({ status: 401, headers: { 'Set-Cookie': 'session=abc; HttpOnly', 'X-Request-Id': 'r-1' } }),
      }));
      const s = connect(srv.url('/denied'), { heartbeat: false });
      const { logger, entries } = fakeLogger();
      s.events$.subscribe(logTo(logger));
      const rec = fixture.track(s);
      await rec.reach('closed');
      expect(entries.map((e) => [e.level, e.message])).to.deep.equal([['error', '[rxnova] gave up: rxnova: handshake failed: HTTP status 401']]);
      const error = entries[0]!.details!['error'] as { headers: Record<string, string> };
      expect(error).to.include({ name: 'HandshakeError', status: 401 });
      expect(error.headers['set-cookie']).to.equal('[redacted]');
      expect(error.headers['x-request-id']).to.equal('r-1');
      expect((s.state as { error?: unknown }).error).to.be.instanceOf(HandshakeError);
      expect(JSON.stringify(entries)).to.not.include('session=abc');
    });

    it('should redact Authorization, Cookie and user-named fields of a dropped message, keeping the rest', async () => {
      // Every upgrade is refused with 503 (retried), so messages wait in the outbox until close().
      const srv = fixture.adopt(await startClientServer({ refuse: () => ({ status: 503 }) }));
      const s = connect(srv.url('/queued'), { heartbeat: false, reconnect: { backoff: constantBackoff(20) } });
      const { logger, entries } = fakeLogger();
      s.events$.subscribe(logTo(logger, { redact: ['apiKey', 'PIN'] }));
      const rec = fixture.track(s);
      s.send({
        op: 'login',
        headers: { Authorization: 'Bearer t0k3n', Cookie: 'sid=c00k1e', Accept: 'json' },
        account: { apikey: 'k3y', pin: '1234', password: 'pa55', user: 'ann' },
        credentials: { user: 'ann', factor: 'otp-998877' },
      });
      await waitFor(() => rec.eventsOf('reconnect-scheduled').length >= 1, 'a refused attempt');
      s.close();
      await rec.reach('closed');
      const dropped = entries.filter((e) => e.message.startsWith('[rxnova] dropped'));
      expect(dropped.length).to.equal(1);
      expect(dropped[0]!.level).to.equal('warn');
      expect(dropped[0]!.message).to.match(/^\[rxnova\] dropped a message \(\d+ bytes\): closed$/);
      expect(dropped[0]!.details).to.deep.include({
        reason: 'closed',
        message: {
          op: 'login',
          headers: { Authorization: '[redacted]', Cookie: '[redacted]', Accept: 'json' },
          account: { apikey: '[redacted]', pin: '[redacted]', password: '[redacted]', user: 'ann' },
          // A field whose name contains a secret word is redacted whole, whatever it holds.
          credentials: '[redacted]',
        },
      });
      for (const secret of ['t0k3n', 'c00k1e', 'k3y', '1234', 'pa55', 'otp-998877']) expect(JSON.stringify(entries)).to.not.include(secret);
      expect(entries.filter((e) => e.message.startsWith('[rxnova] reconnecting')).every((e) => e.level === 'warn')).to.equal(true);
    });
  });

  describe('levels', () => {
    it("should write each event type at its default level and skip those below 'info' by default", () => {
      const { logger, entries } = fakeLogger();
      const observer = logTo(logger);
      SAMPLE.forEach((event) => observer.next(event));
      expect(entries.map((e) => [typeOf(e), e.level])).to.deep.equal([
        ['opened', 'info'],
        ['backpressure', 'info'],
        ['dropped', 'warn'],
        ['heartbeat-timeout', 'warn'],
        ['closed', 'info'],
        ['reconnect-scheduled', 'warn'],
        ['gave-up', 'error'],
      ]);
    });

    it('should respect level: only events at or above it are written', () => {
      const { logger, entries } = fakeLogger();
      const observer = logTo(logger, { level: 'warn' });
      SAMPLE.forEach((event) => observer.next(event));
      expect(entries.map((e) => typeOf(e))).to.deep.equal(['dropped', 'heartbeat-timeout', 'reconnect-scheduled', 'gave-up']);
      const { logger: all, entries: everything } = fakeLogger();
      const debug = logTo(all, { level: 'debug' });
      SAMPLE.forEach((event) => debug.next(event));
      expect(everything.length).to.equal(SAMPLE.length);
    });

    it('should respect per-type levels, false skipping a type, merged over the defaults', () => {
      const { logger, entries } = fakeLogger();
      const observer = logTo(logger, { level: 'debug', levels: { sent: false, received: false, opened: 'error', rtt: 'warn' }, prefix: '[feed]' });
      SAMPLE.forEach((event) => observer.next(event));
      const written = entries.map((e) => [typeOf(e), e.level]);
      expect(written).to.deep.include(['opened', 'error']);
      expect(written).to.deep.include(['rtt', 'warn']);
      expect(written).to.deep.include(['connecting', 'debug']);
      expect(written.map(([type]) => type)).to.not.include.members(['sent', 'received']);
      expect(written.length).to.equal(SAMPLE.length - 2);
      expect(entries.every((e) => e.message.startsWith('[feed] '))).to.equal(true);
    });

    it('should fall back to info() for a level the logger lacks, and skip when it has neither', () => {
      const { logger, entries } = fakeLogger(['info']);
      const observer = logTo(logger, { level: 'debug' });
      SAMPLE.forEach((event) => observer.next(event));
      expect(entries.length).to.equal(SAMPLE.length);
      expect(entries.every((e) => e.level === 'info')).to.equal(true);
      const { logger: onlyError, entries: errors } = fakeLogger(['error']);
      const strict = logTo(onlyError, { level: 'debug' });
      SAMPLE.forEach((event) => strict.next(event));
      expect(errors.map((e) => typeOf(e))).to.deep.equal(['gave-up']);
    });

    it('should reject a logger that is not an object and an unknown level with InvalidOptionsError', () => {
      expect(() => logTo(null as never)).to.throw(InvalidOptionsError, 'console-like');
      expect(() => logTo({}, { level: 'verbose' as never })).to.throw(InvalidOptionsError, 'level');
    });
  });
  describe('messages', () => {
    /** Every event type: the event, its default level, and the message written for it. */
    const CASES: ReadonlyArray<readonly [SocketEvent, LogLevel, string]> = [
      [{ type: 'connecting', attempt: 2, url: 'ws://h/', time: 0 }, 'debug', 'connecting to ws://h/ (attempt 2)'],
      [{ type: 'opened', attempt: 0, url: 'ws://h/', protocol: 'v2', connectTime: 3, time: 0 }, 'info', 'open ws://h/ (v2) after 3 ms (attempt 0)'],
      [{ type: 'opened', attempt: 1, url: 'ws://h/', protocol: '', connectTime: 4, time: 0 }, 'info', 'open ws://h/ after 4 ms (attempt 1)'],
      [{ type: 'closed', code: 1000, reason: 'bye', wasClean: true, initiator: 'server', time: 0 }, 'info', 'closed by server: code 1000 "bye"'],
      [{ type: 'closed', code: 1006, reason: '', wasClean: false, initiator: 'network', time: 0 }, 'info', 'closed by network: code 1006, not clean'],
      [{ type: 'reconnect-scheduled', attempt: 1, delay: 20, error: new Error('gone'), time: 0 }, 'warn', 'reconnecting in 20 ms (attempt 1): gone'],
      [{ type: 'gave-up', error: 'not an Error', time: 0 }, 'error', 'gave up: not an Error'],
      [{ type: 'sent', kind: 'text', bytes: 5, time: 0 }, 'debug', 'sent text 5 bytes'],
      [{ type: 'received', kind: 'binary', bytes: 6, time: 0 }, 'debug', 'received binary 6 bytes'],
      [{ type: 'dropped', reason: 'expired', message: 'm', bytes: 3, time: 0 }, 'warn', 'dropped a message (3 bytes): expired'],
      [{ type: 'dropped', reason: 'refused', message: 1n, bytes: 0, error: new TypeError('bigint'), time: 0 }, 'warn', 'dropped a message (0 bytes): refused: bigint'],
      [{ type: 'callback-error', source: 'protocol.idOf', error: new Error('boom'), time: 0 }, 'error', 'protocol.idOf threw: boom'],
      [{ type: 'source-error', error: new Error('upstream'), time: 0 }, 'warn', 'a stream piped into the socket failed: upstream'],
      [{ type: 'decode-error', kind: 'text', bytes: 8, error: new CodecError('decode', new SyntaxError('bad json')), time: 0 }, 'warn', 'skipped a text frame of 8 bytes: rxnova: could not decode message: bad json'],
      [{ type: 'heartbeat-timeout', timeout: 10, time: 0 }, 'warn', 'no sign of life within 10 ms of a ping: terminating the socket'],
      [{ type: 'rtt', rtt: 2, time: 0 }, 'debug', 'heartbeat round trip 2 ms'],
      [{ type: 'authenticated', refresh: false, time: 0 }, 'info', 'authenticated'],
      [{ type: 'authenticated', refresh: true, expiresIn: 60000, time: 0 }, 'info', 're-authenticated (expires in 60000 ms)'],
      [{ type: 'late-response', id: 7, time: 0 }, 'warn', 'a response arrived for request 7 after it was abandoned (timed out or unsubscribed)'],
      [{ type: 'requeued', count: 1, time: 0 }, 'info', '1 message had not left when the connection ended: queued to send again'],
      [{ type: 'requeued', count: 3, time: 0 }, 'info', '3 messages had not left when the connection ended: queued to send again'],
      [{ type: 'backpressure', paused: true, bufferedAmount: 2000, time: 0 }, 'info', 'writing paused: 2000 bytes buffered in the socket'],
      [{ type: 'backpressure', paused: false, bufferedAmount: 10, time: 0 }, 'info', 'writing resumed: 10 bytes buffered in the socket'],
    ];

    it('should write every event type at its default level with a message that says what happened', () => {
      const { logger, entries } = fakeLogger();
      const observer = logTo(logger, { level: 'debug' });
      CASES.forEach(([event]) => observer.next(event));
      expect(entries.map((e) => [e.level, e.message])).to.deep.equal(CASES.map(([, level, message]) => [level, `[rxnova] ${message}`]));
    });

    it("should write at level 'warn' only the event types whose default level is warn or error", () => {
      const { logger, entries } = fakeLogger();
      const observer = logTo(logger, { level: 'warn' });
      CASES.forEach(([event]) => observer.next(event));
      const expected = CASES.filter(([, level]) => level === 'warn' || level === 'error');
      expect(entries.map((e) => [e.level, e.message])).to.deep.equal(expected.map(([, level, message]) => [level, `[rxnova] ${message}`]));
    });

    it('should pass the event without its type as details, with secrets redacted', () => {
      const { logger, entries } = fakeLogger();
      logTo(logger, { redact: ['pin'] }).next({ type: 'dropped', reason: 'closed', message: { pin: 1234, token: 't', n: 1 }, bytes: 9, time: 5 });
      expect(entries[0]!.details).to.deep.equal({ reason: 'closed', message: { pin: '[redacted]', token: '[redacted]', n: 1 }, bytes: 9, time: 5 });
    });

    it('should skip an event type that has no level (a type from a newer version, or a level set to undefined)', () => {
      const { logger, entries } = fakeLogger();
      const observer = logTo(logger, { level: 'debug', levels: { rtt: undefined } });
      observer.next({ type: 'rtt', rtt: 1, time: 0 });
      observer.next({ type: 'future-event', time: 0 } as unknown as SocketEvent);
      expect(entries).to.deep.equal([]);
    });

    it('should ignore the error and complete of events$', () => {
      const { logger, entries } = fakeLogger();
      const observer = logTo(logger);
      observer.error(new Error('x'));
      observer.complete();
      expect(entries).to.deep.equal([]);
    });
  });

  describe('options', () => {
    it('should reject a logger that is a string, a function or undefined, naming what it got', () => {
      expect(() => logTo('console' as never)).to.throw(InvalidOptionsError, 'got string');
      expect(() => logTo((() => undefined) as never)).to.throw(InvalidOptionsError, 'got function');
      expect(() => logTo(undefined as never)).to.throw(InvalidOptionsError, 'got undefined');
      expect(() => logTo(null as never)).to.throw(InvalidOptionsError, 'got null');
    });

    it('should reject redact that is not an array of strings', () => {
      expect(() => logTo({}, { redact: 'apiKey' as never })).to.throw(InvalidOptionsError, 'redact must be an array of field and query parameter names');
      expect(() => logTo({}, { redact: ['apiKey', 7] as never })).to.throw(InvalidOptionsError, 'redact must be an array');
      expect(() => logTo({}, { redact: [] })).to.not.throw();
      expect(() => logTo({}, { redact: ['apiKey'] })).to.not.throw();
    });
  });
});
