/**
 * Starts spec/support/python_echo_server.py (Python `websockets`, a server
 * rxnova did not write) with /usr/bin/python3, and stops it. When that
 * interpreter cannot import `websockets`, starting fails with a message that
 * says how to fix it: the spec fails, it does not skip.
 */
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';
import { DeferredMap, EchoPeer, SeenClose, uniquePath, within } from './peers';

/** Debian's interpreter: the `python3` on PATH may be another one that cannot see python3-websockets. */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'python_echo_server.py');

/** Starts the Python echo server; `python` is the interpreter (the default is the one CI installs python3-websockets for). */
export async function startPythonEchoServer(python = PYTHON): Promise<EchoPeer> {
  const child: ChildProcess = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closes = new DeferredMap<SeenClose>();

  const port = await within(
    new Promise<number>((resolve, reject) => {
      const fail = (why: string) =>
        reject(
          new Error(
            `the Python websockets peer did not start: ${why}. ` +
              (stderr.includes('RXNOVA_PEER_UNAVAILABLE')
                ? stderr.trim()
                : `stderr: ${stderr.trim() || '(empty)'}. It needs ${PYTHON} with the Debian package python3-websockets`),
          ),
        );
      child.once('error', (error) => fail(`${python} could not be run (${error.message})`));
      child.once('exit', (code, signal) => fail(`it exited with ${code ?? signal}`));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const ready = /^PORT (\d+)$/.exec(line);
        if (ready) {
          resolve(Number(ready[1]));
          return;
        }
        try {
          const seen = JSON.parse(line) as { path: string; code: number; reason: string };
          closes.set(seen.path, { code: seen.code, reason: seen.reason });
        } catch {
          // Not a report line: ignore.
        }
      });
    }),
    10_000,
    'the Python websockets peer to print its port',
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  const origin = `ws://127.0.0.1:${port}`;
  return {
    name: 'a Python websockets server',
    origin,
    url: () => origin + uniquePath(),
    closeSeen: (url) => within(closes.get(new URL(url).pathname), 5000, `the Python server to see ${url} close`),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await within(exited, 5000, 'the Python server to exit').catch(() => {
        child.kill('SIGKILL');
      });
    },
  };
}
