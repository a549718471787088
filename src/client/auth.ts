import { isObservable, Observable, Subscription, take } from 'rxjs';
import { AuthError, InvalidOptionsError } from '../errors';
import { checkDuration } from '../time';
import type { Attempt } from './attempt';
import { encodeFrame } from './codec';
import type { AuthContext, AuthMessage, AuthOptions } from './connect-options';
import type { SocketCore } from './core';
import type { Protocol } from './protocol';
import { Pending, RequestRegistry } from './requests';
import { scheduleIn } from './timers';
import { sizeOf } from './write-queue';

type Outcome = { ok: true; expiresIn?: number | undefined } | { ok: false; reason: string; cause?: unknown };

/** @internal The normalised `auth` option. */
export interface ResolvedAuth<Out> {
  readonly message: (context: AuthContext) => Out | Observable<Out>;
  readonly timeout: number;
  readonly refreshBefore: number;
}

/** @internal Checks and defaults the `auth` option (called when the socket is made, so `connect()` throws). */
export function resolveAuth<Out>(auth: AuthMessage<Out> | AuthOptions<Out>): ResolvedAuth<Out> {
  const { message, timeout = 10_000, refreshBefore = 5_000 } = typeof auth === 'function' ? { message: auth } : auth;
  if (typeof message !== 'function') {
    throw new InvalidOptionsError('options.auth must be a function returning the auth message (or an Observable of it), or { message, timeout, refreshBefore }');
  }
  return {
    message,
    timeout: checkDuration('options.auth.timeout', timeout),
    refreshBefore: checkDuration('options.auth.refreshBefore', refreshBefore, { zero: true }),
  };
}

/** @internal What the auth round needs of the protocol engine. */
export interface AuthHost<In, Out> {
  readonly core: SocketCore<In, Out>;
  /** The checked `auth` option. */
  readonly auth: ResolvedAuth<Out> | undefined;
  readonly protocol: Protocol<In, Out>;
  readonly requests: RequestRegistry<In, Out>;
  /** Without ids, the answer is recognised among inbound messages by this. */
  awaitingAuth: ((message: In) => boolean) | undefined;
}

/**
 * @internal One auth round on `attempt`: sends the auth message right after
 * open (nothing else is written until it succeeds) and waits for the
 * answer: matched by id when the protocol correlates, recognised by the
 * protocol's `authResult` otherwise, and with neither, sending it counts as
 * success. Re-authenticates before expiry when the answer gives one. Every
 * timer and subscription of the round belongs to the attempt's `work`.
 */
export function authenticate<In, Out>(host: AuthHost<In, Out>, attempt: Attempt<In, Out>, refresh: boolean, onSuccess: () => void): void {
  const { core, protocol } = host;
  const { message: make, timeout, refreshBefore } = host.auth!;
  const { scheduler, telemetry } = core;
  const fail = (reason: string, cause?: unknown): void => attempt.fail(new AuthError(reason, cause));
  // Everything this round holds, released when it settles (a connection re-authenticating for days keeps nothing of earlier rounds).
  const round = new Subscription();
  attempt.work.add(round);
  scheduleIn(round, scheduler, timeout, () => fail(`no answer to the auth message within ${timeout} ms`));

  const settle = (result: Outcome): void => {
    attempt.work.remove(round);
    round.unsubscribe();
    if (!result.ok) {
      fail(result.reason, result.cause);
      return;
    }
    const { expiresIn } = result;
    telemetry.emit({ type: 'authenticated', refresh, ...(expiresIn === undefined ? {} : { expiresIn }) });
    if (expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn >= 0) {
      // Credentials that live no longer than refreshBefore are renewed at half their life, not at once: at once, a server
      // that hands out 3 s tokens would get a new auth message after every answer.
      const renewIn = expiresIn > refreshBefore ? expiresIn - refreshBefore : expiresIn / 2;
      scheduleIn(attempt.work, scheduler, renewIn, () => authenticate(host, attempt, true, () => undefined));
    }
    onSuccess();
  };

  const write = (frame: ReturnType<typeof encodeFrame>): void => {
    if (attempt.writeDirect(frame) && telemetry.observed) telemetry.emit({ type: 'sent', kind: frame.type, bytes: sizeOf(frame) });
  };

  const send = (message: Out): void => {
    const { withId, idOf, resultOf, authResult } = protocol;
    if (withId !== undefined && idOf !== undefined) {
      const id = host.requests.nextId();
      const withAnId = withId.call(protocol, message, id);
      const frame = encodeFrame(core.config.codec, withAnId);
      const onResponse = (response: In): void => {
        const outcome = resultOf?.call(protocol, response);
        if (outcome !== undefined && !outcome.ok) {
          settle({ ok: false, reason: outcome.error.message.replace(/^rxnova: /, ''), cause: outcome.error });
          return;
        }
        const answer = authResult?.call(protocol, response);
        settle(answer === undefined || answer.ok ? { ok: true, expiresIn: answer?.expiresIn } : { ok: false, reason: answer.reason });
      };
      const pending = new Pending<In, Out>(id, 'auth', withAnId, frame, sizeOf(frame), 'fail', onResponse, noop, noop);
      host.requests.add(pending);
      round.add(() => host.requests.forget(pending, false));
      write(frame);
      pending.written = true;
      return;
    }
    const frame = encodeFrame(core.config.codec, message);
    if (authResult !== undefined) {
      host.awaitingAuth = (response) => {
        const answer = authResult.call(protocol, response);
        if (answer === undefined) return false;
        host.awaitingAuth = undefined;
        settle(answer.ok ? { ok: true, expiresIn: answer.expiresIn } : { ok: false, reason: answer.reason });
        return true;
      };
      round.add(() => (host.awaitingAuth = undefined));
      write(frame);
      return;
    }
    write(frame);
    settle({ ok: true });
  };

  const sendChecked = (message: Out): void => {
    try {
      send(message);
    } catch (cause) {
      fail('the auth message could not be sent', cause);
    }
  };

  let produced: Out | Observable<Out>;
  try {
    produced = make({ attempt: attempt.attempt, refresh });
  } catch (cause) {
    fail('auth() threw', cause);
    return;
  }
  if (!isObservable(produced)) {
    sendChecked(produced);
    return;
  }
  let got = false;
  round.add(
    produced.pipe(take(1)).subscribe({
      next: (message) => {
        got = true;
        sendChecked(message);
      },
      error: (cause: unknown) => fail('auth() failed', cause),
      complete: () => {
        if (!got) fail('auth() completed without a message');
      },
    }),
  );
}

function noop(): void {}
