// Client-sent values in error messages. A template literal or String() on a parsed JSON object throws when the
// object has its own `toString` key (`{"toString": "x"}` makes String(obj) a TypeError, a 500); this never throws.

/** A value as a message shows it: strings as they are, anything else as JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
