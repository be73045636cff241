import { describe, expect, it } from 'vitest';
import type { Secret } from '../../api/kinds/secret.js';
import type { ConfigMap } from '../../api/types.js';
import { describeConfigMap } from './configmap.js';
import { describeGeneric } from './generic.js';
import { describeSecret } from './secret.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const VALUE = 'hunter2-do-not-print';

const secret: Secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db',
    namespace: 'default',
    labels: { app: 'db' },
    // kubectl apply keeps the whole manifest here, values included: describe must skip it.
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { password: VALUE } }),
    },
  },
  type: 'Opaque',
  data: { username: b64('admin'), password: b64(VALUE), empty: '', bin: b64(Buffer.alloc(1000)) },
};

describe('describeSecret', () => {
  it('prints the type and the size of each value, like kubectl, and no value', () => {
    const out = describeSecret(secret);
    expect(out).toBe(
      [
        'Name:         db',
        'Namespace:    default',
        'Labels:       app=db',
        'Annotations:  <none>',
        '',
        'Type:  Opaque',
        '',
        'Data',
        '====',
        'bin:       1000 bytes',
        'empty:     0 bytes',
        'password:  20 bytes',
        'username:  5 bytes',
        '',
      ].join('\n'),
    );
    expect(out).not.toContain(VALUE);
    expect(out).not.toContain(b64(VALUE));
    expect(out).not.toContain('admin');
  });

  it('is what the generic describer prints for a Secret, so no path shows the values', () => {
    const out = describeGeneric(secret, [], Date.parse('2026-11-30T05:00:00Z'));
    expect(out).toBe(describeSecret(secret));
    expect(out).not.toContain(b64(VALUE));
  });

  it('shows sizes only for service-account tokens too', () => {
    const token: Secret = {
      ...secret,
      metadata: { name: 't', namespace: 'kube-system' },
      type: 'kubernetes.io/service-account-token',
      data: { token: b64('eyJhbGciOi.secret.token') },
    };
    expect(describeSecret(token)).toContain('token:  23 bytes\n');
    expect(describeSecret(token)).not.toContain('eyJ');
  });
});

describe('describeConfigMap', () => {
  it('prints data values, binaryData sizes and events, like kubectl', () => {
    const cm: ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' },
      data: { 'b.conf': 'x=1\ny=2', a: 'one' },
      binaryData: { 'logo.png': b64(Buffer.alloc(7)) },
    };
    expect(describeConfigMap(cm, [], 0)).toBe(
      [
        'Name:         cfg',
        'Namespace:    default',
        'Labels:       <none>',
        'Annotations:  <none>',
        '',
        'Data',
        '====',
        'a:',
        '----',
        'one',
        'b.conf:',
        '----',
        'x=1',
        'y=2',
        '',
        'BinaryData',
        '====',
        'logo.png: 7 bytes',
        '',
        'Events:  <none>',
        '',
      ].join('\n'),
    );
  });
});
