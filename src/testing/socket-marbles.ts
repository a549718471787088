import { InvalidOptionsError } from '../errors';

/** One entry of a parsed socket diagram: what to do, and when (ms after the diagram starts). */
export interface SocketMarble {
  /** Milliseconds from the start of the diagram. */
  readonly time: number;
  /** The character: a letter or digit, `|` (peer close) or `#` (drop). */
  readonly char: string;
}

const TIME_PROGRESSION = /^(\d+(?:\.\d+)?)(ms|s|m)(?: |$)/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Parses a socket diagram, as `TestSocket.play()` reads it. The syntax is the
 * one of `TestScheduler.run()`, always at 1 ms per character whatever the
 * scheduler: `-` is 1 ms, spaces are ignored, `(ab)` puts `a` and `b` at the
 * same time (the group takes as many ms as it has characters), `10ms `
 * (`s`, `m`; at the start or after a space) advances time, `|` and `#` take
 * 1 ms like any other event. `^` and `!` are not allowed (a socket diagram
 * starts when it is played).
 * @internal
 */
export function parseSocketMarbles(diagram: string): SocketMarble[] {
  if (typeof diagram !== 'string') {
    throw new InvalidOptionsError(`a socket diagram must be a string, got ${typeof diagram}`);
  }
  const marbles: SocketMarble[] = [];
  let time = 0;
  let groupStart = -1;
  for (let i = 0; i < diagram.length; i++) {
    const c = diagram[i];
    if (c === ' ') continue;
    if (c === '-') {
      time += 1;
      continue;
    }
    if (c === '(') {
      if (groupStart !== -1) throw new InvalidOptionsError(`socket diagram ${JSON.stringify(diagram)} nests groups at ${i}`);
      groupStart = time;
      time += 1;
      continue;
    }
    if (c === ')') {
      if (groupStart === -1) throw new InvalidOptionsError(`socket diagram ${JSON.stringify(diagram)} closes a group it did not open at ${i}`);
      groupStart = -1;
      time += 1;
      continue;
    }
    if (c === '^' || c === '!') {
      throw new InvalidOptionsError(
        `socket diagram ${JSON.stringify(diagram)} may not contain "${c}": a socket diagram starts when it is played and ends with the socket`,
      );
    }
    if (c >= '0' && c <= '9' && (i === 0 || diagram[i - 1] === ' ')) {
      const match = TIME_PROGRESSION.exec(diagram.slice(i));
      if (match) {
        time += Number(match[1]) * UNIT_MS[match[2]];
        i += match[0].length - 1;
        continue;
      }
    }
    marbles.push({ time: groupStart === -1 ? time : groupStart, char: c });
    time += 1;
  }
  if (groupStart !== -1) throw new InvalidOptionsError(`socket diagram ${JSON.stringify(diagram)} has an unclosed group`);
  return marbles;
}
