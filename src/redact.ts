/**
 * Secrets kept out of logs, events and error messages: one rule for names
 * (which query parameters and fields are secret) and one for URLs (userinfo
 * removed, secret query parameters replaced), used by `logTo`, by the error
 * classes that show a URL, and by anything else that prints one.
 */

/** What replaces a secret value. */
export const REDACTED = '[redacted]';

/** What replaces a value nested deeper than {@link REDACT_MAX_DEPTH}: redacted, never passed through. */
export const REDACTED_TOO_DEEP = '[redacted: nested too deep]';

/**
 * How deep {@link redactValue} looks into objects and arrays (the value
 * itself is depth 0). Anything deeper is replaced by {@link REDACTED_TOO_DEEP}.
 */
export const REDACT_MAX_DEPTH = 8;

/**
 * Secret names (case-insensitive): those with a secret word anywhere in them
 * (`refresh_token`, `client_secret`, `X-Amz-Signature`, `X-Amz-Credential`,
 * `sessionid`, `Authorization`, `Set-Cookie`, `x-api-key` all match), and
 * those that are secret only as a whole: an OAuth `code`, and short names of
 * signatures and keys.
 */
const SECRET_NAME =
  /token|secret|passw(?:or)?d|signature|credential|session|sessid|auth|api[-_]?key|cookie|private[-_]?key|access[-_]?key|^(?:code|key|sig|sid|jwt|pwd|pass)$/i;

/**
 * Whether a field or query parameter name is secret: it contains token,
 * secret, password, passwd, signature, credential, session, sessid, auth,
 * apikey, api-key, api_key, cookie, private key or access key; or it is
 * exactly `code`, `key`, `sig`, `sid`, `jwt`, `pwd` or `pass`; or it is one
 * of `extra` (lower-case names). Case-insensitive.
 */
export function isSecretName(name: string, extra?: ReadonlySet<string>): boolean {
  return SECRET_NAME.test(name) || (extra !== undefined && extra.has(name.toLowerCase()));
}

/** `//userinfo@` (after any scheme, or none): the userinfo is everything up to the last `@` before the host's end. */
const USERINFO = /(\/\/)[^\s/?#]*@/g;
/** `user:password@host` with no `//` (a malformed URL): a name, a colon, anything up to `@`, at the start of a word. */
const BARE_USERINFO = /(^|[\s"'<(=])[^\s"'<>()/?#:@]+:[^\s"'<>()/?#]*@(?=[^\s@])/g;
/** A query (or fragment) parameter: separator, name, `=`, value. */
const PARAMETER = /([?&;#])([^=&;#\s]+)=([^&;#\s]*)/g;

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * Removes secrets from every URL in `text` (a URL, or a message that contains
 * some): the userinfo (`wss://user:password@host` becomes `wss://host`) is
 * always removed, and the value of every query or fragment parameter whose
 * name is secret ({@link isSecretName}, plus `extraNames`) becomes
 * `[redacted]`. Text without URLs comes back unchanged.
 *
 * @param extraNames More parameter names to redact, case-insensitive (exact names).
 * @example
 * ```ts
 * redactUrl('wss://ann:pw@example.com/feed?room=7&refresh_token=abc');
 * // 'wss://example.com/feed?room=7&refresh_token=[redacted]'
 * ```
 */
export function redactUrl(text: string, extraNames?: Iterable<string>): string {
  if (typeof text !== 'string') return text;
  const extra = extraNames === undefined ? undefined : lowerSet(extraNames);
  return redactText(text, extra);
}

/** @internal {@link redactUrl} with the extra names already lower-cased. */
export function redactText(text: string, extra?: ReadonlySet<string>): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut; no pattern matches text without '=' or '@'
  if (text.indexOf('=') === -1 && text.indexOf('@') === -1) return text;
  return text
    .replace(USERINFO, '$1')
    .replace(BARE_USERINFO, '$1')
    .replace(PARAMETER, (whole: string, separator: string, name: string, value: string) =>
      // A value ending in ':' is a URL followed by ": reason" in a message: the colon is the message's, keep it.
      isSecretName(decodedName(name), extra) ? `${separator}${name}=${REDACTED}${value.endsWith(':') ? ':' : ''}` : whole,
    );
}

/** @internal Lower-cases a list of names into a set. */
export function lowerSet(names: Iterable<string>): ReadonlySet<string> {
  const set = new Set<string>();
  for (const name of names) if (typeof name === 'string') set.add(name.toLowerCase());
  return set;
}

/**
 * Whether a field's value is secret. Its name decides ({@link isSecretName}),
 * except that a field named exactly `code` is kept when it is a number (a
 * close code) or belongs to an error (an error code such as `ECONNREFUSED`):
 * only a string `code` elsewhere, an OAuth authorization code, is secret.
 */
function isSecretField(key: string, item: unknown, owner: object, extra: ReadonlySet<string> | undefined): boolean {
  if (!isSecretName(key, extra)) return false;
  if (key.toLowerCase() === 'code' && (extra === undefined || !extra.has('code'))) {
    return typeof item === 'string' && !(owner instanceof Error);
  }
  return true;
}

/**
 * A copy of `value` safe to log: strings go through {@link redactUrl}; the
 * value of every field whose name is secret ({@link isSecretName}, plus
 * `extra`) becomes `[redacted]`, whatever its type, at any depth (a field
 * named exactly `code` only when it is a string outside an error); errors keep
 * their `name`, their redacted `message` and their own fields (not `stack`);
 * binary data becomes `<n bytes>`; a cycle becomes `[circular]`; and
 * anything nested deeper than {@link REDACT_MAX_DEPTH} becomes
 * `[redacted: nested too deep]` (never passed through unchecked).
 */
export function redactValue(value: unknown, extra?: ReadonlySet<string>): unknown {
  return redactAt(value, extra, 0, new Set<object>());
}

function redactAt(value: unknown, extra: ReadonlySet<string> | undefined, depth: number, path: Set<object>): unknown {
  if (typeof value === 'string') return redactText(value, extra);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= REDACT_MAX_DEPTH) return REDACTED_TOO_DEEP;
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (value instanceof ArrayBuffer) return `<${value.byteLength} bytes>`;
  if (path.has(value)) return '[circular]';
  path.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactAt(item, extra, depth + 1, path));
    const out: Record<string, unknown> = {};
    if (value instanceof Error) {
      out['name'] = value.name;
      out['message'] = redactText(value.message, extra);
    }
    for (const key of Object.keys(value)) {
      if (value instanceof Error && (key === 'name' || key === 'message' || key === 'stack')) continue;
      const item = (value as Record<string, unknown>)[key];
      out[key] = isSecretField(key, item, value, extra) ? REDACTED : redactAt(item, extra, depth + 1, path);
    }
    return out;
  } finally {
    path.delete(value);
  }
}
