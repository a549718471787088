/**
 * The runner of `rxnova`: takes the arguments and the process's streams, and
 * resolves with the exit code. The modules that need `ws` (the client in
 * connect.ts, the echo server) are loaded only for the command that uses them.
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InvalidOptionsError, InvalidUrlError } from '../errors';
import { CliUsageError, EXIT, ExitCode, USAGE, parseCli } from './args';
import { errorText } from './format';

/** What the runner reads and writes: the process's streams and signals, or a test's. */
export interface CliIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Calls `handler` once on SIGINT or SIGTERM (the runner then ends with {@link EXIT}.interrupted). */
  readonly onInterrupt: (handler: () => void) => void;
}

/** Runs `rxnova` with the arguments after the command name; resolves with the exit code. Never rejects. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  try {
    const command = parseCli(argv);
    switch (command.kind) {
      case 'help':
        io.stdout.write(USAGE);
        return EXIT.ok;
      case 'version':
        io.stdout.write(`${version()}\n`);
        return EXIT.ok;
      case 'echo-server':
        return await needsWs(() => require('./echo-server') as typeof import('./echo-server')).runEchoServer(command.port, io);
      case 'connect':
        return await needsWs(() => require('./connect') as typeof import('./connect')).runConnect(command, io);
    }
  } catch (error) {
    return fail(io, error);
  }
}

/** The message when `ws`, an optional peer dependency of rxnova, is not installed. */
export const NEEDS_WS = "the command line needs the 'ws' package, an optional peer dependency of rxnova: npx -p rxnova -p ws rxnova <url>";

/**
 * Loads a module that imports `ws` on first use (so `--help` and bad
 * arguments neither need `ws` nor pay for loading the client), turning the
 * absence of `ws` into a clear message.
 */
function needsWs<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && /'ws'/.test(errorText(error));
    throw missing ? new Error(NEEDS_WS) : error;
  }
}

/** Bad arguments, or a URL or option the library refused: exit 2, with the usage hint. */
function fail(io: CliIO, error: unknown): ExitCode {
  const usage = error instanceof CliUsageError || error instanceof InvalidUrlError || error instanceof InvalidOptionsError;
  io.stderr.write(`rxnova: ${errorText(error).replace(/^rxnova: /, '')}\n`);
  if (usage) io.stderr.write("Try 'rxnova --help'.\n");
  return usage ? EXIT.usage : EXIT.failed;
}

/** The version in the package.json above this file (src/cli or dist/cjs/cli). */
function version(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'rxnova' && typeof pkg.version === 'string') return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
