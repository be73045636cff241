// `skiff kubeconfig`: a kubeconfig for stock kubectl pointing at a skiff master (one cluster, one user, one context
// with namespace default). The user carries a token only when one was given.
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  /** Name of the cluster, user and context entries. */
  name: string;
  namespace?: string;
  token?: string;
}

export function renderKubeconfig(opts: KubeconfigOptions): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: opts.name, cluster: { server: opts.server } }],
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
