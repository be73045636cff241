// An API client for a master the benchmarks started: from its kubeconfig (the master's admin.kubeconfig, a lab's
// kubeconfig: server URL, CA and bearer token) when there is one, else plain HTTP to the URL.
import { existsSync, readFileSync } from 'node:fs';
import { loadKubeconfig } from '../../src/cli/kubeconfig.js';
import { HttpApiClient } from '../../src/client/http-api-client.js';

export interface ApiAccess {
  server: string;
  token?: string;
  ca?: string;
  insecureSkipTLSVerify?: boolean;
}

const readText = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

export function accessFrom(url: string, kubeconfig?: string): ApiAccess {
  const text = kubeconfig ? readText(kubeconfig) : undefined;
  if (!kubeconfig || text === undefined) return { server: url };
  const cfg = loadKubeconfig([{ path: kubeconfig, text }], readText);
  return {
    server: cfg.server ?? url,
    ...(cfg.token ? { token: cfg.token } : {}),
    ...(cfg.caPem ? { ca: cfg.caPem } : {}),
    ...(cfg.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
  };
}

export function clientFor(access: ApiAccess, requestTimeoutMs?: number): HttpApiClient {
  return new HttpApiClient({
    server: access.server,
    token: access.token,
    ca: access.ca,
    insecureSkipTLSVerify: access.insecureSkipTLSVerify,
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
  });
}
