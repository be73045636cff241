// Order-independent JSON for hashing and comparing API objects: keys sorted, and null, '', [] and {} dropped,
// because a round trip through the API server may add or drop such empty values without changing the meaning.

export function canonicalJson(v: unknown): string {
  return JSON.stringify(normalize(v)) ?? 'null';
}

export function sameContent(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map((x) => normalize(x) ?? null) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalize((v as Record<string, unknown>)[k]);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null || v === '' ? undefined : v;
}
