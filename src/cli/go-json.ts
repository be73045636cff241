// JSON as Go's encoding/json writes a map: keys sorted, and `<`, `>`, `&`, U+2028, U+2029 escaped inside strings.
// kubectl prints -o json this way and stores the last-applied annotation this way, so skiff does too: then
// `kubectl apply` and `skiff apply` of the same file agree that nothing changed.

export function goJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent).replace(/[<>&\u2028\u2029]/g, escape);
}

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
