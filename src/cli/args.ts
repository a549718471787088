/**
 * The command line of `rxnova` (see docs/cli.md): argv in, a typed
 * {@link CliCommand} out, or a {@link CliUsageError}. Parsing only: nothing
 * here opens a socket or touches the process.
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';

/**
 * The exit codes of `rxnova`, one meaning each:
 * - `ok` (0): a clean end: stdin ended and the socket closed after the outbox
 *   drained, or the server closed with 1000 under `--no-reconnect`, or the
 *   echo server stopped on a signal; also `--help` and `--version`.
 * - `failed` (1): the socket ended by failure: reconnection gave up, the close
 *   policy said stop, or (with `--no-reconnect`) the connection was lost or
 *   closed with a code other than 1000; or the echo server could not listen.
 * - `usage` (2): bad arguments, or a URL or option the library refused.
 * - `interrupted` (130): SIGINT or SIGTERM while connected; the socket is
 *   closed with 1000 first.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How stdin lines are sent. */
export type SendMode = 'text' | 'json' | 'rpc';

/** Connect to a URL, send stdin, print messages. */
export interface ConnectCommand {
  readonly kind: 'connect';
  readonly url: string;
  /** Upgrade request headers, from `-H 'Name: value'` (a repeated name joins its values with `, `). */
  readonly headers: Readonly<Record<string, string>>;
  /** WebSocket subprotocols to offer, from `--protocol`, in order. */
  readonly protocols: readonly string[];
  /** `'text'` (each line as it is), `'json'` (`--json`: each line must be JSON) or `'rpc'` (`--rpc`). */
  readonly mode: SendMode;
  /** `--raw`: print messages as they arrive instead of pretty-printing JSON. */
  readonly raw: boolean;
  /** `false` with `--no-reconnect`. */
  readonly reconnect: boolean;
}

/** Start a local echo server (`--echo-server [port]`). */
export interface EchoServerCommand {
  readonly kind: 'echo-server';
  /** The port to listen on; 0 lets the system choose. */
  readonly port: number;
}

/** What the command line asks for. */
export type CliCommand = { readonly kind: 'help' } | { readonly kind: 'version' } | ConnectCommand | EchoServerCommand;

/** Bad arguments: the message says which; the exit code is {@link EXIT}.usage. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError' as const;
  readonly code = 'RXNOVA_CLI_USAGE' as const;
  readonly exitCode = EXIT.usage;
  constructor(message: string) {
    super(message);
  }
}

/** The text of `rxnova --help`. */
export const USAGE = `Usage:
  rxnova [options] <url>           connect, send stdin lines, print messages
  rxnova --echo-server [port]      run a local echo server on 127.0.0.1

Options:
  -H, --header 'Name: value'  add an upgrade request header (repeatable)
      --protocol <p>          offer a WebSocket subprotocol (repeatable)
      --json                  send each line as JSON (a line that is not JSON is skipped)
      --rpc                   send each line 'method [json-params]' as a JSON-RPC request
                              and print each response with its request
      --raw                   print messages as they arrive (default: pretty-print JSON)
      --no-reconnect          do not reconnect; the first lost connection ends it
      --echo-server [port]    run an echo server (port 0 or none: any free port)
  -h, --help                  show this help
  -v, --version               show the version

Messages go to stdout; states and the reconnect countdown to stderr.
Exit codes: 0 clean close, 1 gave up or failed, 2 bad arguments, 130 interrupted.
`;

const OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  protocol: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  rpc: { type: 'boolean' },
  raw: { type: 'boolean' },
  'no-reconnect': { type: 'boolean' },
  'echo-server': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** An HTTP header name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses the arguments after `rxnova` (`process.argv.slice(2)`).
 * @throws CliUsageError for an unknown option, a missing or extra argument, a
 * malformed header, a bad port, or options that do not go together.
 */
export function parseCli(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parseWith>;
  try {
    parsed = parseWith(argv);
  } catch (error) {
    // parseArgs throws a TypeError with an ERR_PARSE_ARGS_* code and a readable message.
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const clientFlags = (['header', 'protocol', 'json', 'rpc', 'raw', 'no-reconnect'] as const).filter((name) => values[name] !== undefined);
  if (values['echo-server']) {
    if (clientFlags.length > 0) throw new CliUsageError(`--echo-server takes no client options, got --${clientFlags[0]}`);
    if (positionals.length > 1) throw new CliUsageError(`--echo-server takes at most one port, got ${positionals.join(' ')}`);
    return { kind: 'echo-server', port: positionals.length === 0 ? 0 : portOf(positionals[0]!) };
  }

  if (positionals.length === 0) throw new CliUsageError('missing <url> (for example ws://127.0.0.1:8080)');
  if (positionals.length > 1) throw new CliUsageError(`expected one <url>, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.json && values.rpc) throw new CliUsageError('--json and --rpc cannot be combined (--rpc lines are already JSON-RPC requests)');
  return {
    kind: 'connect',
    url: positionals[0]!,
    headers: headersOf(values.header ?? []),
    protocols: values.protocol ?? [],
    mode: values.rpc ? 'rpc' : values.json ? 'json' : 'text',
    raw: values.raw === true,
    reconnect: values['no-reconnect'] !== true,
  };
}

function parseWith(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
}

function portOf(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new CliUsageError(`the port must be a whole number from 0 to 65535, got ${JSON.stringify(text)}`);
  return port;
}

function headersOf(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const names = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (!TOKEN.test(name)) throw new CliUsageError(`a header must be 'Name: value', got ${JSON.stringify(line)}`);
    const value = line.slice(colon + 1).trim();
    // Header names are case-insensitive: the first spelling is kept, values are joined.
    const key = names.get(name.toLowerCase()) ?? name;
    names.set(name.toLowerCase(), key);
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return headers;
}
