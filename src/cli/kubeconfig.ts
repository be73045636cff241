// Kubeconfig files, both ways. `renderKubeconfig` writes what `skiff kubeconfig`, the master's admin.kubeconfig and
// the lab hand to stock kubectl: one cluster (server + certificate-authority-data), one user (token), one context
// with namespace default. `loadKubeconfig` reads what the skiff CLI is pointed at (--kubeconfig, $KUBECONFIG — a
// colon-separated list merged as kubectl merges it, first definition wins — or ~/.kube/config) and resolves the
// current context to a server, CA, token and namespace.
import { dirname, isAbsolute, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CliError } from './errors.js';

export interface KubeconfigOptions {
  server: string;
  /** Name of the cluster, user and context entries. */
  name: string;
  namespace?: string;
  token?: string;
  /** PEM of the CA that signed the server's certificate (embedded as certificate-authority-data). */
  caPem?: string;
  insecureSkipTLSVerify?: boolean;
}

export function renderKubeconfig(opts: KubeconfigOptions): string {
  const cluster: Record<string, unknown> = { server: opts.server };
  if (opts.caPem) cluster['certificate-authority-data'] = Buffer.from(opts.caPem, 'utf8').toString('base64');
  if (opts.insecureSkipTLSVerify) cluster['insecure-skip-tls-verify'] = true;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: opts.name, cluster }],
    users: [{ name: opts.name, user: opts.token ? { token: opts.token } : {} }],
    contexts: [
      {
        name: opts.name,
        context: { cluster: opts.name, user: opts.name, namespace: opts.namespace ?? 'default' },
      },
    ],
    'current-context': opts.name,
    preferences: {},
  };
  return stringify(config);
}

/** What a kubeconfig's context says about how to reach the server. */
export interface ClientConfig {
  server?: string;
  token?: string;
  caPem?: string;
  insecureSkipTLSVerify?: boolean;
  namespace?: string;
}

export interface KubeconfigFile {
  path: string;
  text: string;
}

interface Named {
  name?: unknown;
  [k: string]: unknown;
}

function entries(doc: Record<string, unknown>, key: string): Named[] {
  const list = doc[key];
  return Array.isArray(list) ? list.filter((e): e is Named => !!e && typeof e === 'object') : [];
}

function field(entry: Named | undefined, inner: string): Record<string, unknown> {
  const v = entry?.[inner];
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The current (or named) context of the merged files. `readFile` resolves certificate-authority and tokenFile
 * paths (relative ones against the file that names them).
 */
export function loadKubeconfig(
  files: KubeconfigFile[],
  readFile: (path: string) => string | undefined,
  contextName?: string,
): ClientConfig {
  let current: string | undefined;
  const find = (key: string, name: string) => {
    for (const f of docs) {
      const e = entries(f.doc, key).find((x) => x.name === name);
      if (e) return { entry: e, base: dirname(f.path) };
    }
    return undefined;
  };
  const docs: { path: string; doc: Record<string, unknown> }[] = [];
  for (const f of files) {
    let doc: unknown;
    try {
      doc = parse(f.text);
    } catch (err) {
      throw new CliError(`error: loading kubeconfig ${f.path}: ${(err as Error).message}`);
    }
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== 'object') throw new CliError(`error: ${f.path} is not a kubeconfig`);
    docs.push({ path: f.path, doc: doc as Record<string, unknown> });
    current ??= str((doc as Record<string, unknown>)['current-context']);
  }
  const name = contextName ?? current;
  if (!name) return {};
  const ctx = find('contexts', name);
  if (!ctx) throw new CliError(`error: context "${name}" does not exist`);
  const c = field(ctx.entry, 'context');
  const out: ClientConfig = {};
  const namespace = str(c.namespace);
  if (namespace) out.namespace = namespace;
  const resolve = (base: string, p: string) => (isAbsolute(p) ? p : join(base, p));
  const read = (base: string, p: string, what: string) => {
    const text = readFile(resolve(base, p));
    if (text === undefined) throw new CliError(`error: unable to read ${what} ${resolve(base, p)}`);
    return text;
  };
  const clusterName = str(c.cluster);
  if (clusterName) {
    const cl = find('clusters', clusterName);
    if (!cl) throw new CliError(`error: cluster "${clusterName}" (context "${name}") does not exist`);
    const cluster = field(cl.entry, 'cluster');
    const server = str(cluster.server);
    if (server) out.server = server;
    const caData = str(cluster['certificate-authority-data']);
    const caFile = str(cluster['certificate-authority']);
    if (caData) out.caPem = Buffer.from(caData, 'base64').toString('utf8');
    else if (caFile) out.caPem = read(cl.base, caFile, 'certificate authority');
    if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipTLSVerify = true;
  }
  const userName = str(c.user);
  if (userName) {
    const u = find('users', userName);
    if (u) {
      const user = field(u.entry, 'user');
      const token = str(user.token);
      const tokenFile = str(user.tokenFile);
      if (token) out.token = token;
      else if (tokenFile) out.token = read(u.base, tokenFile, 'token file').trim();
    }
  }
  return out;
}
