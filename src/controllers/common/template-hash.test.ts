import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '../../api/types.js';
import {
  canonicalJson,
  computeTemplateHash,
  fnv32a,
  normalizeTemplate,
  safeEncodeString,
  templatesEqualIgnoringHash,
} from './template-hash.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function template(): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
    },
  };
}

describe('fnv32a and safeEncodeString', () => {
  it('match Go hash/fnv New32a', () => {
    expect(fnv32a(bytes(''))).toBe(0x811c9dc5);
    expect(fnv32a(bytes('a'))).toBe(0xe40c292c);
    expect(fnv32a(bytes('foobar'))).toBe(0xbf9cf968);
  });

  it('re-spells digits with the safe alphabet as rand.SafeEncodeString does', () => {
    // '0'..'9' are char codes 48..57, i.e. alphabet positions 21..26, 0..3.
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    expect(safeEncodeString('abc')).toBe(safeEncodeString('abc'));
  });
});

describe('computeTemplateHash', () => {
  it('is a short string from the safe alphabet, stable across calls', () => {
    const h = computeTemplateHash(template());
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeTemplateHash(template())).toBe(h);
  });

  it.each([
    [
      'creationTimestamp: null and resources: {} (what kubectl rollout undo sends)',
      (t: any) => {
        t.metadata.creationTimestamp = null;
        t.spec.containers[0].resources = {};
      },
    ],
    [
      'the pod-template-hash label',
      (t: any) => {
        t.metadata.labels['pod-template-hash'] = 'abcde';
      },
    ],
    [
      'key order',
      (t: any) => {
        t.spec = {
          containers: [
            { ports: [{ protocol: 'TCP', containerPort: 80 }], image: 'nginx:1.27', name: 'nginx' },
          ],
        };
        t.metadata = { labels: { app: 'web' } };
      },
    ],
    [
      'empty strings, lists and objects, and Go-omitted zero values',
      (t: any) => {
        t.spec.containers[0].args = [];
        t.spec.containers[0].workingDir = '';
        t.spec.containers[0].tty = false;
        t.spec.hostNetwork = false;
        t.metadata.annotations = {};
      },
    ],
  ])('ignores %s', (_name, mutate) => {
    const changed = template();
    mutate(changed);
    expect(computeTemplateHash(changed)).toBe(computeTemplateHash(template()));
    expect(templatesEqualIgnoringHash(changed, template())).toBe(true);
  });

  it('compares quantities by value (Go re-encodes them canonically)', () => {
    const a = template();
    a.spec.containers[0].resources = { limits: { cpu: '0.5', memory: '128Mi' } };
    const b = template();
    b.spec.containers[0].resources = { limits: { cpu: '500m', memory: '134217728' } };
    expect(computeTemplateHash(a)).toBe(computeTemplateHash(b));
  });

  it.each([
    ['another image', (t: any) => (t.spec.containers[0].image = 'nginx:1.28')],
    ['a template annotation (rollout restart)', (t: any) => (t.metadata.annotations = { a: 'b' })],
    ['an empty label value', (t: any) => (t.metadata.labels.tier = '')],
    [
      'a pointer field set to false',
      (t: any) => (t.spec.containers[0].securityContext = { privileged: false }),
    ],
    ['container order', (t: any) => t.spec.containers.unshift({ name: 'side', image: 'busybox' })],
  ])('changes with %s', (_name, mutate) => {
    const changed = template();
    mutate(changed);
    expect(computeTemplateHash(changed)).not.toBe(computeTemplateHash(template()));
    expect(templatesEqualIgnoringHash(changed, template())).toBe(false);
  });

  it('mixes in the collision count', () => {
    const h0 = computeTemplateHash(template());
    const h1 = computeTemplateHash(template(), 1);
    expect(h1).not.toBe(h0);
    expect(computeTemplateHash(template(), 1)).toBe(h1);
    expect(computeTemplateHash(template(), 0)).not.toBe(h0);
  });
});

describe('normalizeTemplate and canonicalJson', () => {
  it('drops what Go would not encode and sorts keys', () => {
    const t = {
      metadata: { creationTimestamp: null, labels: { b: '2', a: '1', 'pod-template-hash': 'x' } },
      spec: { containers: [{ name: 'c', image: 'i', resources: {}, env: [] }] },
    } as unknown as PodTemplateSpec;
    expect(canonicalJson(normalizeTemplate(t))).toBe(
      '{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"containers":[{"image":"i","name":"c"}]}}',
    );
  });

  it('does not change its input', () => {
    const t = template();
    t.metadata!.labels!['pod-template-hash'] = 'x';
    normalizeTemplate(t);
    expect(t.metadata!.labels!['pod-template-hash']).toBe('x');
  });
});
