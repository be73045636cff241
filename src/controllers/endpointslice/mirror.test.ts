import { describe, expect, it } from 'vitest';
import type { Endpoints } from '../../api/types.js';
import { LAST_CHANGE_TRIGGER_TIME } from '../endpoints/reconcile.js';
import { service } from '../endpoints/test-fixtures.js';
import {
  MAX_MIRRORED_ENDPOINTS,
  MIRRORING_CONTROLLER_NAME,
  mirroredAnnotations,
  mirroredLabels,
  mirroredSlices,
  shouldMirror,
  SKIP_MIRROR_LABEL,
} from './mirror.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './reconcile.js';

const ep = (subsets: Endpoints['subsets'], meta: Partial<Endpoints['metadata']> = {}): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'db', namespace: 'default', ...meta },
  subsets,
});

describe('shouldMirror', () => {
  const manual = service('db', { selector: null });
  it.each<[string, ReturnType<typeof service> | undefined, Endpoints | undefined, boolean]>([
    ['a selector-less service with Endpoints', manual, ep([]), true],
    ['an empty selector counts as none', service('db', { selector: {} }), ep([]), true],
    ['a service with a selector (the endpoints controllers handle it)', service('db'), ep([]), false],
    ['no service', undefined, ep([]), false],
    ['no Endpoints', manual, undefined, false],
    ['skip-mirror', manual, ep([], { labels: { [SKIP_MIRROR_LABEL]: 'true' } }), false],
  ])('%s → %s', (_name, svc, endpoints, want) => {
    expect(shouldMirror(svc, endpoints)).toBe(want);
  });
});

describe('mirroredSlices', () => {
  it('merges subsets of the same port set, splits families and port sets, skips bad IPs, dedupes', () => {
    const slices = mirroredSlices(
      ep([
        {
          addresses: [{ ip: '192.168.1.20', nodeName: 'n1', hostname: 'db-a' }, { ip: 'not-an-ip' }],
          notReadyAddresses: [{ ip: '192.168.1.21' }],
          ports: [{ port: 5432 }],
        },
        {
          addresses: [{ ip: '192.168.1.19' }, { ip: '192.168.1.20' }],
          ports: [{ name: '', port: 5432, protocol: 'TCP' }],
        },
        { addresses: [{ ip: '2001:db8::20' }], ports: [{ port: 5432 }] },
        { addresses: [{ ip: '192.168.1.30' }], ports: [{ name: 'admin', port: 9000 }] },
      ]),
    );
    expect(slices).toEqual([
      {
        addressType: 'IPv4',
        ports: [{ name: '', port: 5432, protocol: 'TCP' }],
        endpoints: [
          { addresses: ['192.168.1.19'], conditions: { ready: true } },
          { addresses: ['192.168.1.20'], conditions: { ready: true }, nodeName: 'n1', hostname: 'db-a' },
          { addresses: ['192.168.1.21'], conditions: { ready: false } },
        ],
      },
      {
        addressType: 'IPv4',
        ports: [{ name: 'admin', port: 9000, protocol: 'TCP' }],
        endpoints: [{ addresses: ['192.168.1.30'], conditions: { ready: true } }],
      },
      {
        addressType: 'IPv6',
        ports: [{ name: '', port: 5432, protocol: 'TCP' }],
        endpoints: [{ addresses: ['2001:db8::20'], conditions: { ready: true } }],
      },
    ]);
  });

  it('mirrors nothing for Endpoints without subsets, and at most the slice limit', () => {
    expect(mirroredSlices(ep(undefined))).toEqual([]);
    const many = Array.from({ length: MAX_MIRRORED_ENDPOINTS + 10 }, (_, i) => ({
      ip: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    }));
    expect(mirroredSlices(ep([{ addresses: many, ports: [{ port: 80 }] }]))[0].endpoints).toHaveLength(
      MAX_MIRRORED_ENDPOINTS,
    );
  });

  it('copies labels and annotations, except the trigger time and the last-applied configuration', () => {
    const e = ep([], {
      labels: { team: 'data' },
      annotations: {
        note: 'x',
        [LAST_CHANGE_TRIGGER_TIME]: '2026-01-01T00:00:00Z',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
      },
    });
    expect(mirroredLabels(e)).toEqual({
      team: 'data',
      [SERVICE_NAME_LABEL]: 'db',
      [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER_NAME,
    });
    expect(mirroredAnnotations(e)).toEqual({ note: 'x' });
  });
});
