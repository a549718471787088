/**
 * A `ws` echo server in a child process (spec/support/client-echo-server.js),
 * for specs that freeze it (SIGSTOP: a half-open peer whose socket stays
 * OPEN but answers nothing), thaw it (SIGCONT) or kill it. `kill()` always
 * thaws first and waits for the exit; call it in `after`, even on failure.
 */
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { waitFor } from './client-server';

/** One line the child wrote: a fact about its connections. */
export type ChildFact = { port: number } | { open: string } | { close: number; reason: string; path: string };

export interface ChildEchoServer {
  readonly port: number;
  readonly pid: number;
  /** `ws://127.0.0.1:PORT` + `path`. */
  url(path: string): string;
  /** Every fact written so far, in order. */
  readonly facts: ChildFact[];
  /** Waits for a fact that matches. */
  waitForFact(what: string, predicate: (fact: ChildFact) => boolean, timeoutMs?: number): Promise<ChildFact>;
  /** SIGSTOP: the process freezes; its sockets stay open but nothing is read or answered. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** Thaws, kills (SIGKILL) and waits for the exit. Idempotent. */
  kill(): Promise<void>;
}

const SCRIPT = join(__dirname, 'client-echo-server.js');

/** Starts the child echo server and waits until it listens. */
export async function startChildEchoServer(): Promise<ChildEchoServer> {
  const child: ChildProcess = spawn(process.execPath, [SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const facts: ChildFact[] = [];
  let buffered = '';
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      facts.push(JSON.parse(buffered.slice(0, newline)) as ChildFact);
      buffered = buffered.slice(newline + 1);
    }
  });
  const kill = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    await exit;
  };
  const waitForFact = async (what: string, predicate: (fact: ChildFact) => boolean, timeoutMs = 5000): Promise<ChildFact> => {
    await waitFor(() => facts.some(predicate) || exited, what, timeoutMs, () => JSON.stringify(facts));
    const fact = facts.find(predicate);
    if (fact === undefined) throw new Error(`the child server exited before ${what}; facts: ${JSON.stringify(facts)}`);
    return fact;
  };
  try {
    const listening = await waitForFact('the child server to listen', (fact) => 'port' in fact);
    const port = (listening as { port: number }).port;
    return {
      port,
      pid: child.pid!,
      url: (path) => `ws://127.0.0.1:${port}${path}`,
      facts,
      waitForFact,
      freeze: () => void child.kill('SIGSTOP'),
      thaw: () => void child.kill('SIGCONT'),
      kill,
    };
  } catch (error) {
    await kill();
    throw error;
  }
}
