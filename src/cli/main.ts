#!/usr/bin/env node
/**
 * The `rxnova` command (package.json `bin`): runs {@link runCli} on the
 * process's arguments, streams and signals, then exits with its code once
 * stdout and stderr are flushed. Node only; nothing imports this file.
 * @packageDocumentation
 */
import { runCli } from './run';

let interrupted: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal while closing ends at once.
    if (interrupted === undefined) process.exit(130);
    const handler = interrupted;
    interrupted = undefined;
    handler();
  });
}

void runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  onInterrupt: (handler) => {
    interrupted = handler;
  },
}).then((code) => {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
