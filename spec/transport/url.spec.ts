/**
 * normalizeUrl(): what connect() makes of the URL it is given, before any network use.
 */
import { expect } from 'chai';
import { InvalidUrlError } from '../../src/errors';
import { normalizeUrl } from '../../src/transport/url';

/** The message of the InvalidUrlError that normalizeUrl(url) throws. */
function refusal(url: unknown): string {
  try {
    normalizeUrl(url as string);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidUrlError);
    return (error as InvalidUrlError).message;
  }
  expect.fail(`expected ${String(url)} to be refused`);
}

describe('normalizeUrl()', () => {
  it('should keep a ws: or wss: URL, normalised as the URL parser writes it', () => {
    expect(normalizeUrl('ws://example.com/feed?room=7')).to.equal('ws://example.com/feed?room=7');
    expect(normalizeUrl('wss://example.com')).to.equal('wss://example.com/');
    expect(normalizeUrl('WS://Example.COM:80/a')).to.equal('ws://example.com/a');
  });

  it('should turn http: into ws: and https: into wss:, keeping the rest of the URL', () => {
    expect(normalizeUrl('http://example.com:8080/feed?x=1')).to.equal('ws://example.com:8080/feed?x=1');
    expect(normalizeUrl('https://example.com/feed')).to.equal('wss://example.com/feed');
  });

  it('should refuse a value that is not a string, naming its type', () => {
    expect(refusal(42)).to.equal('rxnova: invalid WebSocket URL "42": expected a string, got number');
    expect(refusal(undefined)).to.equal('rxnova: invalid WebSocket URL "undefined": expected a string, got undefined');
  });

  it('should refuse a string that is not an absolute URL, saying what is expected', () => {
    expect(refusal('example.com/feed')).to.equal(
      'rxnova: invalid WebSocket URL "example.com/feed": not an absolute URL (expected ws://host/path or wss://host/path)',
    );
  });

  it('should refuse any other scheme, naming it and the schemes that work', () => {
    expect(refusal('ftp://example.com/')).to.equal(
      'rxnova: invalid WebSocket URL "ftp://example.com/": scheme ftp: is not supported (use ws:, wss:, http: or https:)',
    );
    expect(refusal('file:///tmp/x')).to.include('scheme file: is not supported');
  });

  it('should refuse a fragment, even an empty one that the URL parser drops', () => {
    expect(refusal('wss://example.com/feed#top')).to.equal(
      'rxnova: invalid WebSocket URL "wss://example.com/feed#top": a WebSocket URL must not have a fragment',
    );
    expect(refusal('wss://example.com/feed#')).to.equal(
      'rxnova: invalid WebSocket URL "wss://example.com/feed#": a WebSocket URL must not have a fragment',
    );
    expect(refusal('http://example.com/#x')).to.include('must not have a fragment');
  });
});
