// Where the CLI sends its requests and with what credentials, resolved as kubectl resolves them: flags first
// (--server, --token, --certificate-authority, --insecure-skip-tls-verify, -n), then $SKIFF_SERVER / $SKIFF_TOKEN,
// then the current context of the kubeconfig — --kubeconfig, else $KUBECONFIG, else the local master's own
// /var/lib/skiff/master/admin.kubeconfig when it is readable (root on the master host, like `k3s kubectl`), else
// ~/.kube/config — and last the default https://127.0.0.1:6443.
import { join } from 'node:path';
import { CliError } from './errors.js';
import { loadKubeconfig, type ClientConfig, type KubeconfigFile } from './kubeconfig.js';

export const DEFAULT_SERVER = 'https://127.0.0.1:6443';
/** The kubeconfig `skiff master` writes with the default --data-dir. */
export const MASTER_ADMIN_KUBECONFIG = '/var/lib/skiff/master/admin.kubeconfig';

export interface ConnectionFlags {
  server?: string;
  token?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  kubeconfig?: string;
  namespace?: string;
  context?: string;
}

export interface Connection {
  server: string;
  token?: string;
  caPem?: string;
  insecureSkipTLSVerify?: boolean;
  namespace: string;
  /** The kubeconfig file(s) the values came from, if any. */
  kubeconfig?: string;
}

export interface ConnectionSources {
  env: Record<string, string | undefined>;
  readFile(path: string): string | undefined;
}

/** The kubeconfig files to read, and whether they were asked for by name (then they must exist). */
export function kubeconfigPaths(
  flags: ConnectionFlags,
  src: ConnectionSources,
): { paths: string[]; explicit: boolean } {
  if (flags.kubeconfig) return { paths: [flags.kubeconfig], explicit: true };
  const fromEnv = (src.env.KUBECONFIG ?? '').split(':').filter((p) => p !== '');
  if (fromEnv.length > 0) return { paths: fromEnv, explicit: false };
  const home = src.env.HOME;
  return {
    paths: [MASTER_ADMIN_KUBECONFIG, ...(home ? [join(home, '.kube', 'config')] : [])],
    explicit: false,
  };
}

function readKubeconfig(
  flags: ConnectionFlags,
  src: ConnectionSources,
): { config: ClientConfig; path?: string } {
  const { paths, explicit } = kubeconfigPaths(flags, src);
  const files: KubeconfigFile[] = [];
  for (const path of paths) {
    const text = src.readFile(path);
    if (text === undefined) {
      if (explicit) throw new CliError(`error: stat ${path}: no such file or directory`);
      continue;
    }
    files.push({ path, text });
    // $KUBECONFIG lists are merged; the fallbacks (admin.kubeconfig, then ~/.kube/config) are alternatives.
    if (!flags.kubeconfig && !src.env.KUBECONFIG) break;
  }
  if (files.length === 0) return { config: {} };
  return {
    config: loadKubeconfig(files, (p) => src.readFile(p), flags.context),
    path: files.map((f) => f.path).join(':'),
  };
}

export function resolveConnection(flags: ConnectionFlags, src: ConnectionSources): Connection {
  const { config: loaded, path } = readKubeconfig(flags, src);
  const chosen = flags.server || src.env.SKIFF_SERVER;
  // The kubeconfig's token and CA belong to its server: another --server gets neither (no token leaks to it).
  const config =
    chosen && loaded.server && chosen !== loaded.server ? { namespace: loaded.namespace } : loaded;
  const server = chosen || config.server || DEFAULT_SERVER;
  const token = flags.token || src.env.SKIFF_TOKEN || config.token;
  let caPem = config.caPem;
  if (flags.certificateAuthority) {
    caPem = src.readFile(flags.certificateAuthority);
    if (caPem === undefined) {
      throw new CliError(`error: unable to read certificate-authority ${flags.certificateAuthority}`);
    }
  }
  const insecure = flags.insecureSkipTlsVerify || config.insecureSkipTLSVerify;
  return {
    server,
    ...(token ? { token } : {}),
    ...(caPem ? { caPem } : {}),
    ...(insecure ? { insecureSkipTLSVerify: true } : {}),
    namespace: flags.namespace || config.namespace || 'default',
    ...(path ? { kubeconfig: path } : {}),
  };
}
