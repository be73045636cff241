// What one probe attempt does, split like pkg/kubelet/prober/prober.go runProbe: a pure resolution of the probe
// spec into a request (URL with the pod IP and a port resolved by number or container-port name, headers,
// expanded exec command), and the `Prober` interface that carries a request out. The adapter
// (http-tcp-exec-prober.ts) uses node http/net from the agent's own network namespace, as the kubelet does, and
// the runtime's exec; tests pass test/fakes/fake-prober.ts.
import type { Container, Probe } from '../../../src/api/types.js';
import { expand } from '../container-env.js';

/** The kubelet's User-Agent for HTTP probes (kube-probe/<major>.<minor>). */
export const PROBE_USER_AGENT = 'kube-probe/1.32';

/** Response bodies and exec output are read up to this much (maxRespBodyLength / maxReadLength). */
export const MAX_PROBE_OUTPUT = 10 * 1024;

export type ProbeRequest =
  | { kind: 'http'; url: string; headers: [string, string][] }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'exec'; containerId: string; command: string[] };

/**
 * One attempt's outcome (probe.Result): `warning` counts as a success but is reported (a redirect the prober did
 * not follow); `error` means the probe could not run at all (e.g. exec into a container that is gone) and is
 * thrown away rather than counted, as the kubelet does.
 */
export interface ProbeAttempt {
  result: 'success' | 'warning' | 'failure' | 'error';
  output: string;
}

export interface Prober {
  /** Runs one attempt. When `signal` aborts (the timeout), resolves promptly with timeoutAttempt(req). */
  run(req: ProbeRequest, signal: AbortSignal): Promise<ProbeAttempt>;
}

/** A probe spec that cannot be turned into a request (an unknown port name, no handler). */
export class ProbeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeConfigError';
  }
}

/** probe.ResolveContainerPort: a number, or the name of one of the container's ports. */
export function resolvePort(port: number | string, container: Container): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else if (/^\d+$/.test(port)) n = Number(port);
  else {
    const found = container.ports?.find((p) => p.name === port);
    if (!found) throw new ProbeConfigError(`couldn't find port: ${port} in ${container.name}`);
    n = found.containerPort;
  }
  if (!Number.isInteger(n) || n <= 0 || n >= 65536) throw new ProbeConfigError(`invalid port number: ${n}`);
  return n;
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Canonical header name as Go's http.Header stores it (user-agent → User-Agent). */
function canonicalHeader(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1) : p))
    .join('-');
}

/** Request headers (probe/http/request.go): the probe's own, then User-Agent and Accept unless it set them. */
export function probeHeaders(list: { name: string; value: string }[] = []): [string, string][] {
  const headers: [string, string][] = list.map((h) => [canonicalHeader(h.name), h.value]);
  const has = (n: string) => headers.some(([k]) => k === n);
  if (!has('User-Agent')) headers.push(['User-Agent', PROBE_USER_AGENT]);
  if (!has('Accept')) headers.push(['Accept', '*/*']);
  // An explicitly empty Accept means "send none".
  return headers.filter(([k, v]) => !(k === 'Accept' && v === ''));
}

/** Only `value:` variables take part (ExpandContainerCommandOnlyStatic): no API lookups in a probe. */
function staticEnv(container: Container): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of container.env ?? []) if (e.value !== undefined && !e.valueFrom) env.set(e.name, e.value);
  return env;
}

/** The request for one attempt of `probe` against a container of a pod whose IP is `podIP`. */
export function probeRequest(
  probe: Probe,
  container: Container,
  containerId: string,
  podIP: string | undefined,
): ProbeRequest {
  if (probe.exec) {
    const env = staticEnv(container);
    return {
      kind: 'exec',
      containerId,
      command: (probe.exec.command ?? []).map((a) => expand(a, (n) => env.get(n))),
    };
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const host = g.host || podIP;
    if (!host) throw new ProbeConfigError('the pod has no IP address yet');
    const port = resolvePort(g.port, container);
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const path = g.path ?? '';
    // The path is appended, never resolved: "//x" must not become a host.
    const url = `${scheme}://${joinHostPort(host, port)}${path.startsWith('/') ? path : `/${path}`}`;
    return { kind: 'http', url, headers: probeHeaders(g.httpHeaders) };
  }
  if (probe.tcpSocket) {
    const host = probe.tcpSocket.host || podIP;
    if (!host) throw new ProbeConfigError('the pod has no IP address yet');
    return { kind: 'tcp', host, port: resolvePort(probe.tcpSocket.port, container) };
  }
  throw new ProbeConfigError('missing probe handler');
}

/** The failure an attempt reports when it ran out of time, in the kubelet's words. */
export function timeoutAttempt(req: ProbeRequest): ProbeAttempt {
  switch (req.kind) {
    case 'http':
      return {
        result: 'failure',
        output: `Get "${req.url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      };
    case 'tcp':
      return { result: 'failure', output: `dial tcp ${joinHostPort(req.host, req.port)}: i/o timeout` };
    case 'exec':
      return { result: 'failure', output: `command "${req.command.join(' ')}" timed out` };
  }
}
