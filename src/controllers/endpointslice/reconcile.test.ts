import { describe, expect, it } from 'vitest';
import type { EndpointSlice, EndpointSliceEndpoint, Pod } from '../../api/types.js';
import { HEADLESS_LABEL, LAST_CHANGE_TRIGGER_TIME } from '../endpoints/reconcile.js';
import { pod, service } from '../endpoints/test-fixtures.js';
import {
  CONTROLLER_NAME,
  desiredSlices,
  MANAGED_BY_LABEL,
  reconcileSlices,
  SERVICE_NAME_LABEL,
  sliceLabels,
  type DesiredSlice,
} from './reconcile.js';

function ep(name: string, ip: string, c: { ready?: boolean; serving?: boolean; terminating?: boolean } = {}) {
  return {
    addresses: [ip],
    conditions: { ready: c.ready ?? true, serving: c.serving ?? true, terminating: c.terminating ?? false },
    targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
    nodeName: 'node-1',
  } as EndpointSliceEndpoint;
}

const HTTP = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];

describe('desiredSlices', () => {
  it.each<[string, ReturnType<typeof service>, Pod[], DesiredSlice[]]>([
    [
      'no pods: one empty placeholder per family',
      service('web', { ipFamilies: ['IPv4', 'IPv6'] }),
      [],
      [
        { addressType: 'IPv4', ports: [], endpoints: [] },
        { addressType: 'IPv6', ports: [], endpoints: [] },
      ],
    ],
    [
      'conditions: ready, not ready, terminating (kept, unlike Endpoints); terminal and IP-less pods out',
      service('web'),
      [
        pod('c', { ip: '10.244.1.7', deleting: true }),
        pod('a', { ip: '10.244.1.5' }),
        pod('b', { ip: '10.244.1.6', ready: false }),
        pod('done', { ip: '10.244.1.8', phase: 'Succeeded' }),
        pod('new', { ip: null }),
      ],
      [
        {
          addressType: 'IPv4',
          ports: HTTP,
          endpoints: [
            ep('a', '10.244.1.5'),
            ep('b', '10.244.1.6', { ready: false, serving: false }),
            ep('c', '10.244.1.7', { ready: false, serving: true, terminating: true }),
          ],
        },
      ],
    ],
    [
      'publishNotReadyAddresses: always ready',
      service('web', { publishNotReadyAddresses: true }),
      [pod('b', { ip: '10.244.1.6', ready: false })],
      [
        {
          addressType: 'IPv4',
          ports: HTTP,
          endpoints: [ep('b', '10.244.1.6', { ready: true, serving: false })],
        },
      ],
    ],
    [
      'a named targetPort resolved two ways: two slices',
      service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }),
      [
        pod('b', { ip: '10.244.1.6', ports: [{ name: 'http', containerPort: 9090 }] }),
        pod('a', { ip: '10.244.1.5', ports: [{ name: 'http', containerPort: 8080 }] }),
      ],
      [
        { addressType: 'IPv4', ports: HTTP, endpoints: [ep('a', '10.244.1.5')] },
        {
          addressType: 'IPv4',
          ports: [{ name: 'http', port: 9090, protocol: 'TCP' }],
          endpoints: [ep('b', '10.244.1.6')],
        },
      ],
    ],
    [
      'hostname for the subdomain; unnamed port named ""',
      service('db', { clusterIP: 'None', ports: [{ port: 5432, protocol: 'TCP' }] }),
      [pod('db-0', { ip: '10.244.1.5', hostname: 'db-0', subdomain: 'db' })],
      [
        {
          addressType: 'IPv4',
          ports: [{ name: '', port: 5432, protocol: 'TCP' }],
          endpoints: [{ ...ep('db-0', '10.244.1.5'), hostname: 'db-0' }],
        },
      ],
    ],
    [
      'per family: each pod IP in its slice',
      service('web', { ipFamilies: ['IPv4', 'IPv6'] }),
      [pod('a', { ip: '10.244.1.5', ips: ['10.244.1.5', 'fd00::5'] })],
      [
        { addressType: 'IPv4', ports: HTTP, endpoints: [ep('a', '10.244.1.5')] },
        { addressType: 'IPv6', ports: HTTP, endpoints: [ep('a', 'fd00::5')] },
      ],
    ],
  ])('%s', (_name, svc, pods, want) => {
    expect(desiredSlices(svc, pods)).toEqual(want);
  });
});

describe('reconcileSlices', () => {
  const svc = service('web', { labels: { app: 'web', [SERVICE_NAME_LABEL]: 'spoofed' } });
  const labels = {
    app: 'web',
    [SERVICE_NAME_LABEL]: 'web',
    [MANAGED_BY_LABEL]: CONTROLLER_NAME,
  };
  const want: DesiredSlice = { addressType: 'IPv4', ports: HTTP, endpoints: [ep('a', '10.244.1.5')] };
  const existing = (name: string, over: Partial<EndpointSlice> = {}, uid = 'uid-svc-web'): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: 'default',
      resourceVersion: '5',
      labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid, controller: true }],
    },
    addressType: 'IPv4',
    ports: HTTP,
    endpoints: [ep('a', '10.244.1.5')],
    ...over,
  });

  it('labels slices like upstream: service labels without reserved keys, plus name, manager, headless', () => {
    expect(sliceLabels(svc)).toEqual(labels);
    expect(sliceLabels(service('db', { clusterIP: 'None' }))).toEqual({
      [HEADLESS_LABEL]: '',
      [SERVICE_NAME_LABEL]: 'db',
      [MANAGED_BY_LABEL]: CONTROLLER_NAME,
    });
  });

  it('creates a missing slice owned by the service, with a generated name and the trigger time', () => {
    const plan = reconcileSlices({
      service: svc,
      desired: [want],
      existing: [],
      triggerTime: '2026-01-01T00:00:03Z',
    });
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toEqual([
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: 'web-',
          namespace: 'default',
          labels,
          annotations: { [LAST_CHANGE_TRIGGER_TIME]: '2026-01-01T00:00:03Z' },
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Service',
              name: 'web',
              uid: 'uid-svc-web',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        addressType: 'IPv4',
        endpoints: want.endpoints,
        ports: HTTP,
      },
    ]);
  });

  it('does nothing when the matching slice already says it all (server-defaulted ports, any endpoint order)', () => {
    const same = existing('web-abcde', { ports: [{ name: 'http', port: 8080 }] });
    expect(reconcileSlices({ service: svc, desired: [want], existing: [same], triggerTime: 'x' })).toEqual({
      create: [],
      update: [],
      delete: [],
    });
  });

  it('updates the matching slice in place when its endpoints change, keeping its name and version', () => {
    const stale = existing('web-abcde', {
      endpoints: [ep('a', '10.244.1.5', { ready: false, serving: false })],
    });
    const plan = reconcileSlices({ service: svc, desired: [want], existing: [stale] });
    expect(plan.update).toEqual([{ ...stale, endpoints: want.endpoints }]);
    expect(plan.create).toEqual([]);
  });

  it('deletes duplicates, slices of other port sets and slices of an earlier service of the same name', () => {
    const plan = reconcileSlices({
      service: svc,
      desired: [want],
      existing: [
        existing('web-b'),
        existing('web-a'),
        existing('web-c', { ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] }),
        existing('web-d', {}, 'uid-of-an-older-web'),
      ],
    });
    expect(plan.create).toEqual([]);
    expect(plan.update).toEqual([]);
    expect(plan.delete.map((s) => s.metadata.name).sort()).toEqual(['web-b', 'web-c', 'web-d']);
  });

  it('creates nothing for a service being deleted', () => {
    const deleting = { ...svc, metadata: { ...svc.metadata, deletionTimestamp: '2026-01-01T00:01:00Z' } };
    expect(reconcileSlices({ service: deleting, desired: [want], existing: [] }).create).toEqual([]);
  });
});
