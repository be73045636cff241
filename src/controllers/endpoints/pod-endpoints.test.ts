import { describe, expect, it } from 'vitest';
import type { Pod, ServicePort } from '../../api/types.js';
import {
  findPort,
  hasManagedEndpoints,
  podEndpointsChanged,
  podIPForService,
  serviceFamilies,
  servicesSelectingPod,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './pod-endpoints.js';
import { pod, service } from './test-fixtures.js';

describe('findPort', () => {
  const withPorts = (p: Pod) => {
    p.spec.containers.push({ name: 'side', image: 'x', ports: [{ name: 'admin', containerPort: 9000 }] });
    p.spec.initContainers = [
      { name: 'init', image: 'x', ports: [{ name: 'init-port', containerPort: 7000 }] },
      {
        name: 'sidecar',
        image: 'x',
        restartPolicy: 'Always',
        ports: [{ name: 'proxy', containerPort: 15001 }],
      },
    ];
    return p;
  };
  const p = withPorts(
    pod('a', {
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'dns', containerPort: 5353, protocol: 'UDP' },
      ],
    }),
  );
  it.each<[string, ServicePort, number | undefined]>([
    ['a number as is', { port: 80, targetPort: 8081 }, 8081],
    ['no targetPort: the service port', { port: 80 }, 80],
    ['a name in the first container', { port: 80, targetPort: 'http' }, 8080],
    ['a name in another container', { port: 80, targetPort: 'admin' }, 9000],
    ['a name on another protocol', { port: 53, targetPort: 'dns', protocol: 'UDP' }, 5353],
    ['a name with the wrong protocol', { port: 53, targetPort: 'dns', protocol: 'TCP' }, undefined],
    ['a sidecar init container port', { port: 15001, targetPort: 'proxy' }, 15001],
    ['a plain init container port', { port: 7000, targetPort: 'init-port' }, undefined],
    ['an unknown name', { port: 80, targetPort: 'nope' }, undefined],
  ])('%s', (_name, servicePort, want) => {
    expect(findPort(p, servicePort)).toBe(want);
  });
});

describe('shouldPodBeInEndpoints', () => {
  it.each<[string, Pod, boolean, boolean]>([
    ['running with an IP', pod('a'), false, true],
    ['not ready still counts (as not ready)', pod('a', { ready: false }), false, true],
    ['no IP yet', pod('a', { ip: null }), true, false],
    ['terminating', pod('a', { deleting: true }), false, false],
    ['terminating, included', pod('a', { deleting: true }), true, true],
    ['succeeded', pod('a', { phase: 'Succeeded' }), true, false],
    ['failed', pod('a', { phase: 'Failed' }), true, false],
  ])('%s', (_name, p, includeTerminating, want) => {
    expect(shouldPodBeInEndpoints(p, includeTerminating)).toBe(want);
  });
});

describe('service membership', () => {
  it('matches selector labels within the namespace; selector-less and ExternalName services match nothing', () => {
    const services = [
      service('web'),
      service('all-web', { selector: { app: 'web' }, labels: { x: 'y' } }),
      service('api', { selector: { app: 'api' } }),
      service('web-other-ns', { namespace: 'other' }),
      service('manual', { selector: null }),
      service('empty', { selector: {} }),
      service('ext', { type: 'ExternalName' }),
    ];
    expect(
      servicesSelectingPod(services, pod('a', { labels: { app: 'web', v: '1' } })).map(
        (s) => s.metadata.name,
      ),
    ).toEqual(['web', 'all-web']);
    expect(hasManagedEndpoints(service('manual', { selector: null }))).toBe(false);
    expect(hasManagedEndpoints(service('empty', { selector: {} }))).toBe(false);
  });

  it('sets a hostname only for a pod whose subdomain is the service in its namespace', () => {
    expect(shouldSetHostname(pod('db-0', { hostname: 'db-0', subdomain: 'db' }), service('db'))).toBe(true);
    expect(shouldSetHostname(pod('db-0', { subdomain: 'db' }), service('db'))).toBe(false);
    expect(shouldSetHostname(pod('db-0', { hostname: 'db-0', subdomain: 'db' }), service('other'))).toBe(
      false,
    );
    expect(
      shouldSetHostname(pod('db-0', { hostname: 'db-0', subdomain: 'db', namespace: 'x' }), service('db')),
    ).toBe(false);
  });
});

describe('IP families', () => {
  const dual = pod('a', { ip: '10.244.1.5', ips: ['10.244.1.5', 'fd00::5'] });
  it('uses the first family of the service, else its cluster IP family, else the pod primary IP', () => {
    expect(podIPForService(service('web', { ipFamilies: ['IPv6', 'IPv4'] }), dual)).toBe('fd00::5');
    expect(podIPForService(service('web', { ipFamilies: [], clusterIP: 'fd00::1' }), dual)).toBe('fd00::5');
    expect(podIPForService(service('web', { ipFamilies: [], clusterIP: 'None' }), dual)).toBe('10.244.1.5');
    expect(
      podIPForService(service('web', { ipFamilies: ['IPv6'] }), pod('b', { ip: '10.244.1.6' })),
    ).toBeUndefined();
  });
  it('lists the families a service carries', () => {
    expect(serviceFamilies(service('web', { ipFamilies: ['IPv4', 'IPv6'] }))).toEqual(['IPv4', 'IPv6']);
    expect(serviceFamilies(service('web', { ipFamilies: [], clusterIP: 'fd00::1' }))).toEqual(['IPv6']);
    expect(serviceFamilies(service('web', { ipFamilies: [], clusterIP: 'None' }))).toEqual(['IPv4']);
  });
});

describe('podEndpointsChanged', () => {
  const base = pod('a', { ports: [{ name: 'http', containerPort: 8080 }] });
  const changed = (f: (p: Pod) => void) => {
    const next = structuredClone(base);
    f(next);
    return podEndpointsChanged(base, next);
  };
  it.each<[string, (p: Pod) => void, boolean]>([
    ['labels', (p) => (p.metadata.labels = { app: 'other' }), true],
    ['readiness', (p) => (p.status!.conditions![0].status = 'False'), true],
    ['deletion starts', (p) => (p.metadata.deletionTimestamp = '2026-01-01T00:01:00Z'), true],
    ['IP', (p) => (p.status!.podIP = '10.244.9.9'), true],
    ['terminal phase', (p) => (p.status!.phase = 'Succeeded'), true],
    ['annotations only', (p) => (p.metadata.annotations = { a: 'b' }), false],
    ['resourceVersion only', (p) => (p.metadata.resourceVersion = '99'), false],
    ['restart count', (p) => (p.status!.containerStatuses = []), false],
  ])('%s → %s', (_name, f, want) => {
    expect(changed(f)).toBe(want);
  });
});
