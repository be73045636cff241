// Content negotiation on the Accept header, the few cases Kubernetes clients rely on: Tables for `kubectl get`
// (`as=Table`) and aggregated discovery (`as=APIGroupDiscoveryList`). Everything else is answered as JSON.

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((range) => {
    const [type, ...rest] = range.split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: type.trim().toLowerCase(), params };
  });
}

/** `kubectl get` asks for meta.k8s.io Tables. */
export function wantsTable(accept: string | undefined): boolean {
  return parseAccept(accept).some((r) => r.params.as === 'Table');
}

export type DiscoveryVersion = 'v2' | 'v2beta1';

/** The aggregated discovery version the client asked for first, or undefined for legacy discovery. */
export function aggregatedDiscoveryVersion(accept: string | undefined): DiscoveryVersion | undefined {
  for (const r of parseAccept(accept)) {
    if (r.params.as !== 'APIGroupDiscoveryList' || r.params.g !== 'apidiscovery.k8s.io') continue;
    if (r.params.v === 'v2' || r.params.v === 'v2beta1') return r.params.v;
  }
  return undefined;
}

/** The exact Content-Type kubectl requires to recognise an aggregated discovery document. */
export function aggregatedDiscoveryContentType(version: DiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}
