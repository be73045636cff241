import { describe, expect, it } from 'vitest';
import { PodIndex } from './pod-index.js';
import { compileSelector } from './label-selector.js';
import { makePod } from '../../test/fakes/scheduler-fixtures.js';
import type { LabelSelector } from '../api/types.js';

function index() {
  const idx = new PodIndex();
  idx.add(makePod('w1', { labels: { app: 'web', rev: '1' } }), 'n1');
  idx.add(makePod('w2', { labels: { app: 'web', rev: '2' } }), 'n2');
  idx.add(makePod('db', { labels: { app: 'db' } }), 'n1');
  idx.add(makePod('plain'), 'n2');
  idx.add(makePod('w3', { labels: { app: 'web', rev: '1' }, namespace: 'other' }), 'n3');
  return idx;
}

const names = (idx: PodIndex, ns: string, sel: LabelSelector | undefined) =>
  idx
    .matching(ns, compileSelector(sel))
    .map((e) => `${e.pod.metadata.name}@${e.nodeName}`)
    .sort();

describe('PodIndex', () => {
  it.each<[string, string, LabelSelector | undefined, string[]]>([
    ['by one label', 'default', { matchLabels: { app: 'web' } }, ['w1@n1', 'w2@n2']],
    ['by two labels', 'default', { matchLabels: { app: 'web', rev: '1' } }, ['w1@n1']],
    [
      'In with several values',
      'default',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db', 'db'] }] },
      ['db@n1', 'w1@n1', 'w2@n2'],
    ],
    ['Exists', 'default', { matchExpressions: [{ key: 'rev', operator: 'Exists' }] }, ['w1@n1', 'w2@n2']],
    [
      'only NotIn: scans the namespace',
      'default',
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
      ['db@n1', 'plain@n2'],
    ],
    ['everything in the namespace', 'default', {}, ['db@n1', 'plain@n2', 'w1@n1', 'w2@n2']],
    ['nothing', 'default', undefined, []],
    ['a key nobody has', 'default', { matchLabels: { zone: 'a' } }, []],
    ['another namespace', 'other', { matchLabels: { app: 'web' } }, ['w3@n3']],
    ['an unknown namespace', 'nope', {}, []],
  ])('%s', (_name, ns, sel, expected) => {
    expect(names(index(), ns, sel)).toEqual(expected);
  });

  it('replaces a pod on re-add (labels and node change) and forgets it on remove', () => {
    const idx = index();
    idx.add(makePod('w1', { labels: { app: 'db' } }), 'n9');
    expect(names(idx, 'default', { matchLabels: { app: 'web' } })).toEqual(['w2@n2']);
    expect(names(idx, 'default', { matchLabels: { app: 'db' } })).toEqual(['db@n1', 'w1@n9']);
    expect(idx.remove('default/w1')).toBe(true);
    expect(idx.remove('default/w1')).toBe(false);
    expect(idx.size).toBe(4);
    idx.remove('other/w3');
    expect([...idx.namespaces()]).toEqual(['default']);
  });

  it('keeps the pods that carry pod (anti-)affinity', () => {
    const idx = new PodIndex();
    const term = { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' };
    idx.add(
      makePod('anti', {
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } },
      }),
      'n1',
    );
    idx.add(
      makePod('soft', {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term }],
          },
        },
      }),
      'n1',
    );
    idx.add(makePod('node-only', { affinity: { nodeAffinity: {} } }), 'n1');
    const keys = (it: Iterable<{ pod: { metadata: { name?: string } } }>) =>
      [...it].map((e) => e.pod.metadata.name).sort();
    expect(keys(idx.withAffinity())).toEqual(['anti', 'soft']);
    expect(keys(idx.withRequiredAntiAffinity())).toEqual(['anti']);
    idx.remove('default/anti');
    expect(keys(idx.withAffinity())).toEqual(['soft']);
    expect(keys(idx.withRequiredAntiAffinity())).toEqual([]);
  });
});
