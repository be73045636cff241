import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderKubeconfig } from './kubeconfig.js';

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
