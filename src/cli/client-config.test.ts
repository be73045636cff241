import { describe, expect, it } from 'vitest';
import { renderKubeconfig } from './kubeconfig.js';
import { MASTER_ADMIN_KUBECONFIG, kubeconfigPaths, resolveConnection } from './client-config.js';

const CA = '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n';
const kubeconfig = (server: string, token: string, namespace = 'default') =>
  renderKubeconfig({ server, name: 'skiff', token, caPem: CA, namespace });

function sources(env: Record<string, string>, files: Record<string, string>) {
  return { env, readFile: (p: string) => files[p] };
}

describe('where the CLI connects', () => {
  it('defaults to https://127.0.0.1:6443 with nothing configured', () => {
    expect(resolveConnection({}, sources({}, {}))).toEqual({
      server: 'https://127.0.0.1:6443',
      namespace: 'default',
    });
  });

  it('reads the local master’s admin.kubeconfig (root on the master host), else ~/.kube/config', () => {
    const home = { HOME: '/root' };
    expect(kubeconfigPaths({}, sources(home, {}))).toEqual({
      paths: [MASTER_ADMIN_KUBECONFIG, '/root/.kube/config'],
      explicit: false,
    });
    const user = { '/root/.kube/config': kubeconfig('https://lab:6443', 'user-token', 'dev') };
    expect(resolveConnection({}, sources(home, user))).toEqual({
      server: 'https://lab:6443',
      token: 'user-token',
      caPem: CA,
      namespace: 'dev',
      kubeconfig: '/root/.kube/config',
    });
    const both = { ...user, [MASTER_ADMIN_KUBECONFIG]: kubeconfig('https://127.0.0.1:6443', 'admin-token') };
    expect(resolveConnection({}, sources(home, both))).toMatchObject({
      server: 'https://127.0.0.1:6443',
      token: 'admin-token',
      namespace: 'default',
      kubeconfig: MASTER_ADMIN_KUBECONFIG,
    });
  });

  it('lets --kubeconfig and $KUBECONFIG choose the file, and a missing --kubeconfig is an error', () => {
    const files = { '/a': kubeconfig('https://a:6443', 'ta'), '/b': kubeconfig('https://b:6443', 'tb') };
    expect(resolveConnection({ kubeconfig: '/b' }, sources({ KUBECONFIG: '/a' }, files)).server).toBe(
      'https://b:6443',
    );
    expect(resolveConnection({}, sources({ KUBECONFIG: '/missing:/a' }, files)).server).toBe(
      'https://a:6443',
    );
    expect(() => resolveConnection({ kubeconfig: '/nope' }, sources({}, files))).toThrow(
      'error: stat /nope: no such file or directory',
    );
  });

  it('puts flags and $SKIFF_* above the kubeconfig', () => {
    const files = { '/k': kubeconfig('https://k:6443', 'tk', 'dev'), '/ca': 'OTHER CA' };
    const flags = {
      kubeconfig: '/k',
      server: 'https://flag:6443',
      token: 'tflag',
      namespace: 'prod',
      certificateAuthority: '/ca',
    };
    expect(resolveConnection(flags, sources({}, files))).toMatchObject({
      server: 'https://flag:6443',
      token: 'tflag',
      namespace: 'prod',
      caPem: 'OTHER CA',
    });
    expect(
      resolveConnection(
        { kubeconfig: '/k' },
        sources({ SKIFF_SERVER: 'https://env:1', SKIFF_TOKEN: 'tenv' }, files),
      ),
    ).toEqual({ server: 'https://env:1', token: 'tenv', namespace: 'dev', kubeconfig: '/k' });
    const same = { '/k': kubeconfig('https://k:6443', 'tk', 'dev') };
    expect(
      resolveConnection({ kubeconfig: '/k', server: 'https://k:6443' }, sources({}, same)),
    ).toMatchObject({
      token: 'tk',
      caPem: CA,
    });
    // The kubeconfig's token and CA never go to another server.
    expect(
      resolveConnection({ kubeconfig: '/k', server: 'https://elsewhere:6443' }, sources({}, files)),
    ).toEqual({
      server: 'https://elsewhere:6443',
      namespace: 'dev',
      kubeconfig: '/k',
    });
    expect(() => resolveConnection({ certificateAuthority: '/missing' }, sources({}, {}))).toThrow(
      'error: unable to read certificate-authority /missing',
    );
    expect(resolveConnection({ insecureSkipTlsVerify: true }, sources({}, {})).insecureSkipTLSVerify).toBe(
      true,
    );
  });
});
