import { InvalidUrlError } from '../errors';

/**
 * Checks and normalises a WebSocket URL before any network use: `http:` and
 * `https:` become `ws:` and `wss:`; any other scheme, a fragment, or a string
 * that is not an absolute URL throws {@link InvalidUrlError}.
 */
export function normalizeUrl(url: string): string {
  if (typeof url !== 'string') throw new InvalidUrlError(String(url), `expected a string, got ${typeof url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidUrlError(url, 'not an absolute URL (expected ws://host/path or wss://host/path)');
  }
  switch (parsed.protocol) {
    case 'ws:':
    case 'wss:':
      break;
    case 'http:':
      parsed.protocol = 'ws:';
      break;
    case 'https:':
      parsed.protocol = 'wss:';
      break;
    default:
      throw new InvalidUrlError(url, `scheme ${parsed.protocol} is not supported (use ws:, wss:, http: or https:)`);
  }
  if (parsed.hash !== '' || url.includes('#')) throw new InvalidUrlError(url, 'a WebSocket URL must not have a fragment');
  // Stryker disable next-line ConditionalExpression,StringLiteral,CallExpression: ws: and wss: are special schemes, so new URL() already refuses an empty host
  if (parsed.hostname === '') throw new InvalidUrlError(url, 'no host');
  return parsed.href;
}
