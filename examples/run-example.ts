/**
 * What the examples share and is not about rxnova: a log line stamped with the
 * milliseconds since start, and running `main()` with a watchdog.
 */

const started = Date.now();

/** Milliseconds since the example started, padded: `"  123 ms"`. */
export const elapsed = (): string => `${String(Date.now() - started).padStart(5)} ms`;

/** Prints `text` after the time since start. */
export const log = (text: string): void => console.log(`${elapsed()}  ${text}`);

/**
 * Runs `main()`; exits 1 if it throws or has not finished within `limitMs`
 * (`main()` sets `process.exitCode` itself).
 */
export function runExample(name: string, limitMs: number, main: () => Promise<void>): void {
  const watchdog = setTimeout(() => {
    console.error(`${name}: did not finish within ${limitMs / 1000} s`);
    process.exit(1);
  }, limitMs);
  watchdog.unref();

  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
