/** @internal How an error message names a value it got: `null`, a class name, or its `typeof`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
