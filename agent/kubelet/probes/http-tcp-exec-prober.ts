// The Prober adapter: HTTP and TCP probes from the agent's own network namespace to the pod IP (as the kubelet
// does: pod IPs are routable from the node), exec probes through the container runtime. Results and messages
// follow pkg/probe/{http,tcp,exec}: 200 ≤ status < 400 succeeds, redirects are followed only to the same host
// (another host's redirect ends the probe with a warning), bodies and output are read up to 10 KiB, and
// failures read like Go's errors ("dial tcp 10.244.0.5:8080: connect: connection refused"). The timeout is
// the caller's AbortSignal; this file keeps no timers.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ContainerRuntime, InteractiveSession } from '../../runtime/container-runtime.js';
import {
  joinHostPort,
  MAX_PROBE_OUTPUT,
  timeoutAttempt,
  type ProbeAttempt,
  type Prober,
  type ProbeRequest,
} from './prober.js';

/** Go's http.Client default: at most 10 redirects. */
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ETIMEDOUT: 'i/o timeout',
  ECONNRESET: 'read: connection reset by peer',
};

/** A socket error in Go's words ("dial tcp 10.0.0.5:80: connect: connection refused"). */
export function netErrorMessage(err: NodeJS.ErrnoException, addr: string): string {
  const why = err.code ? NET_ERRORS[err.code] : undefined;
  if (!why) return err.message;
  return `${err.code === 'ECONNRESET' ? 'read' : 'dial'} tcp ${addr}: ${why}`;
}

/** host:port with the port always written (Go keeps the explicit port that new URL() drops for 80/443). */
function addrOf(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(port));
}

interface HttpAnswer {
  status: number;
  location?: string;
  body: string;
}

export interface HttpTcpExecProberDeps {
  runtime: ContainerRuntime;
}

export class HttpTcpExecProber implements Prober {
  constructor(private readonly deps: HttpTcpExecProberDeps) {}

  async run(req: ProbeRequest, signal: AbortSignal): Promise<ProbeAttempt> {
    if (signal.aborted) return timeoutAttempt(req);
    switch (req.kind) {
      case 'http':
        return this.http(req, signal);
      case 'tcp':
        return this.tcp(req, signal);
      case 'exec':
        return this.exec(req, signal);
    }
  }

  private async http(
    req: Extract<ProbeRequest, { kind: 'http' }>,
    signal: AbortSignal,
  ): Promise<ProbeAttempt> {
    const first = new URL(req.url);
    let url = first;
    // Messages name the URL as requested (the first one with its explicit port).
    let shown = req.url;
    for (let redirects = 0; ; redirects++) {
      let answer: HttpAnswer;
      try {
        answer = await httpGet(url, req.headers, signal);
      } catch (err) {
        if (signal.aborted) return timeoutAttempt(req);
        const e = err as NodeJS.ErrnoException;
        return { result: 'failure', output: `Get "${shown}": ${netErrorMessage(e, addrOf(url))}` };
      }
      if (REDIRECTS.has(answer.status) && answer.location) {
        let next: URL | undefined;
        try {
          next = new URL(answer.location, url);
        } catch {
          next = undefined;
        }
        // Only redirects to the same host are followed; anything else ends the probe with this response.
        if (next && next.hostname === first.hostname && /^https?:$/.test(next.protocol)) {
          if (redirects + 1 > MAX_REDIRECTS) {
            return { result: 'failure', output: `Get "${next.href}": stopped after 10 redirects` };
          }
          url = next;
          shown = next.href;
          continue;
        }
      }
      return classify(answer);
    }
  }

  private tcp(req: Extract<ProbeRequest, { kind: 'tcp' }>, signal: AbortSignal): Promise<ProbeAttempt> {
    const addr = joinHostPort(req.host, req.port);
    return new Promise((resolve) => {
      const sock = net.connect({ host: req.host, port: req.port });
      const finish = (a: ProbeAttempt) => {
        signal.removeEventListener('abort', onAbort);
        sock.destroy();
        resolve(a);
      };
      const onAbort = () => finish(timeoutAttempt(req));
      signal.addEventListener('abort', onAbort, { once: true });
      sock.once('connect', () => finish({ result: 'success', output: '' }));
      sock.once('error', (err: NodeJS.ErrnoException) =>
        finish({ result: 'failure', output: netErrorMessage(err, addr) }),
      );
    });
  }

  private async exec(
    req: Extract<ProbeRequest, { kind: 'exec' }>,
    signal: AbortSignal,
  ): Promise<ProbeAttempt> {
    let session: InteractiveSession;
    try {
      session = await this.deps.runtime.exec(req.containerId, req.command, {
        stdin: false,
        stdout: true,
        stderr: true,
        tty: false,
      });
    } catch (err) {
      // No process ran (the container is gone or stopping): the kubelet throws such results away.
      return signal.aborted ? timeoutAttempt(req) : { result: 'error', output: (err as Error).message };
    }
    const output = new CappedText();
    for (const s of [session.stdout, session.stderr]) s?.on('data', (d: Buffer) => output.add(d));
    let onAbort = () => undefined as void;
    const aborted = new Promise<'timeout'>((resolve) => {
      onAbort = () => resolve('timeout');
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const code = await Promise.race([session.exitCode(), aborted]);
      if (code === 'timeout') return timeoutAttempt(req);
      return { result: code === 0 ? 'success' : 'failure', output: output.text() };
    } catch (err) {
      return { result: 'error', output: (err as Error).message };
    } finally {
      signal.removeEventListener('abort', onAbort);
      // A timed-out command keeps running in the container (as with the kubelet); only our stream closes.
      session.close();
    }
  }
}

function classify(a: HttpAnswer): ProbeAttempt {
  if (a.status >= 200 && a.status < 400) {
    if (a.status >= 300)
      return { result: 'warning', output: `Probe terminated redirects, Response body: ${a.body}` };
    return { result: 'success', output: a.body };
  }
  // Like the kubelet, the user-facing failure carries no response body.
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${a.status}` };
}

/** One GET without keep-alive; the body is read up to MAX_PROBE_OUTPUT (the rest is dropped, not an error). */
function httpGet(url: URL, headerList: [string, string][], signal: AbortSignal): Promise<HttpAnswer> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of headerList) {
    const prev = headers[k];
    headers[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  const get = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      { method: 'GET', headers, agent: false, signal, rejectUnauthorized: false },
      (res) => {
        const body = new CappedText();
        let truncated = false;
        res.on('data', (d: Buffer) => {
          if (body.add(d)) return;
          truncated = true;
          res.destroy();
        });
        res.on('error', (err) => (truncated ? undefined : reject(err)));
        res.on('close', () => {
          if (res.complete || truncated) {
            resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: body.text() });
          } else reject(Object.assign(new Error('unexpected EOF'), { code: 'EOF' }));
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** Collects text up to MAX_PROBE_OUTPUT bytes. */
class CappedText {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  /** Adds a chunk; false once the cap is reached. */
  add(d: Buffer): boolean {
    const room = MAX_PROBE_OUTPUT - this.size;
    if (room > 0) {
      const part = d.length > room ? d.subarray(0, room) : d;
      this.chunks.push(part);
      this.size += part.length;
    }
    return this.size < MAX_PROBE_OUTPUT;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
