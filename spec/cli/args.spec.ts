/**
 * `parseCli()`, in process: every option of `rxnova` and what it parses to,
 * and every usage error with its exact message (the message is what the user
 * reads after `rxnova: `).
 */
import { expect } from 'chai';
import { CliUsageError, EXIT, USAGE, parseCli } from '../../src/cli/args';

const URL = 'ws://127.0.0.1:8080';

/** The command a connect line parses to, with the defaults filled in. */
const connectWith = (overrides: Record<string, unknown> = {}) => ({
  kind: 'connect',
  url: URL,
  headers: {},
  protocols: [],
  mode: 'text',
  raw: false,
  reconnect: true,
  ...overrides,
});

/** The CliUsageError that `parseCli(argv)` throws. */
function usageError(argv: readonly string[]): CliUsageError {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error, JSON.stringify(argv)).to.be.an.instanceOf(CliUsageError);
    return error as CliUsageError;
  }
  throw new Error(`parseCli(${JSON.stringify(argv)}) did not throw`);
}

describe('parseCli() (the arguments of rxnova)', () => {
  describe('help and version', () => {
    it('should ask for the help with --help or -h, whatever else is given', () => {
      expect(parseCli(['--help'])).to.deep.equal({ kind: 'help' });
      expect(parseCli(['-h'])).to.deep.equal({ kind: 'help' });
      expect(parseCli(['--json', '--rpc', '-h', URL, 'ws://two'])).to.deep.equal({ kind: 'help' });
      expect(parseCli(['--version', '--help'])).to.deep.equal({ kind: 'help' });
    });

    it('should ask for the version with --version or -v, whatever else is given', () => {
      expect(parseCli(['--version'])).to.deep.equal({ kind: 'version' });
      expect(parseCli(['-v'])).to.deep.equal({ kind: 'version' });
      expect(parseCli(['--echo-server', '--raw', '-v'])).to.deep.equal({ kind: 'version' });
    });

    it('should still refuse an unknown option when --help is given', () => {
      expect(usageError(['--help', '--nope']).message).to.match(/^Unknown option '--nope'/);
    });
  });

  describe('connect', () => {
    it('should connect to the one URL with no headers, no protocols, text mode, pretty output and reconnection when no option is given', () => {
      expect(parseCli([URL])).to.deep.equal(connectWith());
    });

    it('should take the URL after the options or before them', () => {
      expect(parseCli([URL, '--raw'])).to.deep.equal(connectWith({ raw: true }));
      expect(parseCli(['--raw', URL])).to.deep.equal(connectWith({ raw: true }));
    });

    it('should send lines as JSON with --json and as JSON-RPC requests with --rpc', () => {
      expect(parseCli(['--json', URL])).to.deep.equal(connectWith({ mode: 'json' }));
      expect(parseCli(['--rpc', URL])).to.deep.equal(connectWith({ mode: 'rpc' }));
    });

    it('should print raw with --raw and not reconnect with --no-reconnect', () => {
      expect(parseCli(['--raw', URL])).to.deep.equal(connectWith({ raw: true }));
      expect(parseCli(['--no-reconnect', URL])).to.deep.equal(connectWith({ reconnect: false }));
      expect(parseCli(['--raw', '--no-reconnect', '--json', URL])).to.deep.equal(connectWith({ raw: true, reconnect: false, mode: 'json' }));
    });

    it('should offer every --protocol, in the order given', () => {
      expect(parseCli(['--protocol', 'v2.chat', URL, '--protocol', 'v1.chat'])).to.deep.equal(connectWith({ protocols: ['v2.chat', 'v1.chat'] }));
      expect(parseCli(['--protocol=one', URL])).to.deep.equal(connectWith({ protocols: ['one'] }));
    });

    it('should take a header from -H or --header, with the name and value trimmed', () => {
      expect(parseCli(['-H', 'X-Api-Key: k1', '--header', '  X-Trace  :  t-7  ', URL])).to.deep.equal(
        connectWith({ headers: { 'X-Api-Key': 'k1', 'X-Trace': 't-7' } }),
      );
      expect(parseCli(['-HX-A:1', '--header=X-B:2', URL])).to.deep.equal(connectWith({ headers: { 'X-A': '1', 'X-B': '2' } }));
    });

    it('should keep every colon after the first in a header value, and accept an empty value', () => {
      expect(parseCli(['-H', 'Origin: http://example.com:8080', URL])).to.deep.equal(connectWith({ headers: { Origin: 'http://example.com:8080' } }));
      expect(parseCli(['-H', 'X-Empty:', URL])).to.deep.equal(connectWith({ headers: { 'X-Empty': '' } }));
    });

    it('should join the values of a repeated header name with ", ", case-insensitively, under its first spelling', () => {
      const { headers } = parseCli(['-H', 'X-Tag: a', '-H', 'Other: o', '-H', 'x-tag: b', '-H', 'X-TAG:c', URL]) as { headers: unknown };
      expect(headers).to.deep.equal({ 'X-Tag': 'a, b, c', Other: 'o' });
    });

    it('should join an empty first value too', () => {
      expect(parseCli(['-H', 'X-A:', '-H', 'x-a: 2', URL])).to.deep.equal(connectWith({ headers: { 'X-A': ', 2' } }));
    });

    it('should accept every character of an HTTP token in a header name', () => {
      const name = "!#$%&'*+.^_`|~09AZaz-";
      expect(parseCli(['-H', `${name}: v`, URL])).to.deep.equal(connectWith({ headers: { [name]: 'v' } }));
    });
  });

  describe('--echo-server', () => {
    it('should listen on any free port (0) when no port is given', () => {
      expect(parseCli(['--echo-server'])).to.deep.equal({ kind: 'echo-server', port: 0 });
    });

    it('should listen on the port given, from 0 to 65535, leading zeros allowed', () => {
      for (const [text, port] of [['0', 0], ['8080', 8080], ['65535', 65535], ['08080', 8080], ['00000', 0]] as const) {
        expect(parseCli(['--echo-server', text]), text).to.deep.equal({ kind: 'echo-server', port });
      }
      expect(parseCli(['9000', '--echo-server'])).to.deep.equal({ kind: 'echo-server', port: 9000 });
    });

    it('should refuse a port that is not a whole number from 0 to 65535', () => {
      for (const text of ['65536', '99999', 'abc', '', ' 80', '80 ', '1e3', '0x10', '8080x', 'x8080', '000080', '80.0', '-1', '+80']) {
        // '-1' would be read as an option, so it is given after '--'.
        expect(usageError(['--echo-server', '--', text]).message, text).to.equal(`the port must be a whole number from 0 to 65535, got ${JSON.stringify(text)}`);
      }
    });

    it('should read -1 as an unknown option', () => {
      expect(usageError(['--echo-server', '-1']).message).to.match(/^Unknown option '-1'/);
    });

    it('should refuse two ports', () => {
      expect(usageError(['--echo-server', '1', '2']).message).to.equal('--echo-server takes at most one port, got 1 2');
    });

    it('should refuse each client option, naming it', () => {
      const cases = [
        [['-H', 'A: b'], 'header'],
        [['--protocol', 'p'], 'protocol'],
        [['--json'], 'json'],
        [['--rpc'], 'rpc'],
        [['--raw'], 'raw'],
        [['--no-reconnect'], 'no-reconnect'],
      ] as const;
      for (const [flags, name] of cases) {
        expect(usageError(['--echo-server', ...flags]).message, name).to.equal(`--echo-server takes no client options, got --${name}`);
      }
    });

    it('should name the first client option in the order of the usage, not of the command line', () => {
      expect(usageError(['--echo-server', '--no-reconnect', '--raw', '--protocol', 'p']).message).to.equal('--echo-server takes no client options, got --protocol');
      expect(usageError(['--raw', '--echo-server', '-H', 'A: b', '8080']).message).to.equal('--echo-server takes no client options, got --header');
    });
  });

  describe('usage errors', () => {
    it('should be a CliUsageError with the code RXNOVA_CLI_USAGE and the exit code 2', () => {
      const error = usageError([]);
      expect(error).to.be.an.instanceOf(Error);
      expect(error.name).to.equal('CliUsageError');
      expect(error.code).to.equal('RXNOVA_CLI_USAGE');
      expect(error.exitCode).to.equal(2);
    });

    it('should ask for a URL when none is given', () => {
      expect(usageError([]).message).to.equal('missing <url> (for example ws://127.0.0.1:8080)');
      expect(usageError(['--raw', '-H', 'A: b']).message).to.equal('missing <url> (for example ws://127.0.0.1:8080)');
    });

    it('should refuse two URLs or more, counting them', () => {
      expect(usageError([URL, 'ws://b']).message).to.equal(`expected one <url>, got 2: ${URL} ws://b`);
      expect(usageError(['a', 'b', 'c']).message).to.equal('expected one <url>, got 3: a b c');
    });

    it('should refuse --json with --rpc', () => {
      expect(usageError(['--json', '--rpc', URL]).message).to.equal('--json and --rpc cannot be combined (--rpc lines are already JSON-RPC requests)');
    });

    it("should pass on the option parser's message for an unknown option, a missing value, or a value given to a flag", () => {
      expect(usageError(['--nope', URL]).message).to.match(/^Unknown option '--nope'\./);
      expect(usageError([URL, '--protocol']).message).to.equal("Option '--protocol <value>' argument missing");
      expect(usageError([URL, '-H']).message).to.equal("Option '-H, --header <value>' argument missing");
      expect(usageError(['--json=yes', URL]).message).to.equal("Option '--json' does not take an argument");
    });

    it("should refuse a header that is not 'Name: value': no colon, an empty name, or a name that is not a token", () => {
      for (const line of ['X-Bad', '', ': value', '  : value', 'Bad Name: v', 'X(1): v', 'Ünïcode: v', 'X-A\t1: v']) {
        expect(usageError(['-H', line, URL]).message, line).to.equal(`a header must be 'Name: value', got ${JSON.stringify(line)}`);
      }
    });

    it('should refuse a malformed header even after good ones', () => {
      expect(usageError(['-H', 'A: 1', '-H', 'nocolon', URL]).message).to.equal(`a header must be 'Name: value', got "nocolon"`);
    });
  });

  describe('EXIT and USAGE', () => {
    it('should exit 0 when ok, 1 on failure, 2 on bad usage and 130 when interrupted', () => {
      expect(EXIT).to.deep.equal({ ok: 0, failed: 1, usage: 2, interrupted: 130 });
    });

    it('should mention every option, both command forms and the exit codes in the usage', () => {
      expect(USAGE).to.match(/^Usage:\n {2}rxnova \[options\] <url> .*\n {2}rxnova --echo-server \[port\] /);
      const options = [['H', 'header'], ['', 'protocol'], ['', 'json'], ['', 'rpc'], ['', 'raw'], ['', 'no-reconnect'], ['', 'echo-server'], ['h', 'help'], ['v', 'version']] as const;
      for (const [short, long] of options) {
        // Each option starts a line of its own: `  -H, --header ...` or `      --protocol ...`.
        expect(USAGE, long).to.match(new RegExp(`\\n {2}${short === '' ? ' {4}' : `-${short}, `}--${long} `));
      }
      expect(USAGE).to.include('Exit codes: 0 clean close, 1 gave up or failed, 2 bad arguments, 130 interrupted.\n');
    });
  });
});
