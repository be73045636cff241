import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadKubeconfig, renderKubeconfig } from './kubeconfig.js';

describe('renderKubeconfig', () => {
  it('gives kubectl one cluster, user and context, namespace default', () => {
    const text = renderKubeconfig({ server: 'http://10.0.0.1:6443', name: 'skiff' });
    expect(text).toBe(
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: skiff',
        '    cluster:',
        '      server: http://10.0.0.1:6443',
        'users:',
        '  - name: skiff',
        '    user: {}',
        'contexts:',
        '  - name: skiff',
        '    context:',
        '      cluster: skiff',
        '      user: skiff',
        '      namespace: default',
        'current-context: skiff',
        'preferences: {}',
        '',
      ].join('\n'),
    );
  });

  it('puts the token on the user only when one is given', () => {
    const cfg = parse(
      renderKubeconfig({ server: 'http://m:6443', name: 'lab', token: 's3cret', namespace: 'dev' }),
    );
    expect(cfg.users).toEqual([{ name: 'lab', user: { token: 's3cret' } }]);
    expect(cfg.contexts[0].context).toEqual({ cluster: 'lab', user: 'lab', namespace: 'dev' });
    expect(cfg['current-context']).toBe('lab');
  });
});

describe('kubeconfig with a CA', () => {
  const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  it('embeds the CA as certificate-authority-data, which loadKubeconfig reads back', () => {
    const text = renderKubeconfig({
      server: 'https://10.0.0.1:6443',
      name: 'skiff',
      token: 't0k',
      caPem: CA,
    });
    const cfg = parse(text);
    expect(cfg.clusters[0].cluster).toEqual({
      server: 'https://10.0.0.1:6443',
      'certificate-authority-data': Buffer.from(CA).toString('base64'),
    });
    expect(loadKubeconfig([{ path: '/k', text }], () => undefined)).toEqual({
      server: 'https://10.0.0.1:6443',
      caPem: CA,
      token: 't0k',
      namespace: 'default',
    });
  });
});

describe('loadKubeconfig', () => {
  const files: Record<string, string> = {
    '/home/u/.kube/ca.crt': 'CA-FROM-FILE',
    '/home/u/.kube/token': 'tok-from-file\n',
  };
  const read = (p: string) => files[p];
  const kc = [
    'apiVersion: v1',
    'kind: Config',
    'current-context: lab',
    'clusters:',
    '- {name: lab, cluster: {server: "https://lab:6443", certificate-authority: ca.crt}}',
    '- {name: prod, cluster: {server: "https://prod:6443", insecure-skip-tls-verify: true}}',
    'users:',
    '- {name: u1, user: {tokenFile: token}}',
    '- {name: u2, user: {token: abc}}',
    'contexts:',
    '- {name: lab, context: {cluster: lab, user: u1, namespace: dev}}',
    '- {name: prod, context: {cluster: prod, user: u2}}',
  ].join('\n');

  it('resolves the current context: server, CA file and token file relative to the kubeconfig', () => {
    expect(loadKubeconfig([{ path: '/home/u/.kube/config', text: kc }], read)).toEqual({
      server: 'https://lab:6443',
      caPem: 'CA-FROM-FILE',
      token: 'tok-from-file',
      namespace: 'dev',
    });
  });

  it('resolves a named context, and merges files with the first definition winning', () => {
    expect(loadKubeconfig([{ path: '/home/u/.kube/config', text: kc }], read, 'prod')).toEqual({
      server: 'https://prod:6443',
      insecureSkipTLSVerify: true,
      token: 'abc',
    });
    const first = 'current-context: prod\nusers: [{name: u2, user: {token: override}}]\n';
    expect(
      loadKubeconfig(
        [
          { path: '/a', text: first },
          { path: '/home/u/.kube/config', text: kc },
        ],
        read,
      ).token,
    ).toBe('override');
  });

  it('reports a missing context or an unreadable file as kubectl does', () => {
    expect(() => loadKubeconfig([{ path: '/k', text: kc }], read, 'nope')).toThrow(
      'error: context "nope" does not exist',
    );
    expect(() => loadKubeconfig([{ path: '/k', text: kc }], () => undefined)).toThrow(
      'error: unable to read certificate authority /ca.crt',
    );
    expect(() => loadKubeconfig([{ path: '/k', text: '{{' }], read)).toThrow(/error: loading kubeconfig \/k/);
    expect(loadKubeconfig([{ path: '/k', text: '' }], read)).toEqual({});
  });
});
