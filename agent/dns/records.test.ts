import type { Answer, Question } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { EndpointSubset, Endpoints, Service, ServiceSpec } from '../../src/api/types.js';
import {
  buildIndex,
  dashedIP,
  DEFAULT_TTL,
  normalizeName,
  resolve,
  reverseName,
  type LocalAnswer,
  type Resolution,
} from './records.js';

function svc(ns: string, name: string, spec: ServiceSpec, extra: Partial<Service['metadata']> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, resourceVersion: '7', ...extra },
    spec,
  };
}

function eps(ns: string, name: string, subsets: EndpointSubset[], rv = '9'): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns, resourceVersion: rv },
    subsets,
  };
}

const services: Service[] = [
  svc('default', 'web', {
    clusterIP: '10.96.0.10',
    ports: [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
      { port: 9090 }, // unnamed: no SRV
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
  }),
  svc('default', 'db', {
    clusterIP: 'None',
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  }),
  svc('shop', 'cart', { clusterIP: 'None', publishNotReadyAddresses: true }),
  svc('shop', 'empty', { clusterIP: 'None' }),
  svc(
    'shop',
    'tolerant',
    { clusterIP: 'None' },
    {
      annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' },
    },
  ),
  svc('default', 'ext', { type: 'ExternalName', externalName: 'www.Example.com.' }),
  svc('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
  svc('default', 'dual', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20', 'fd00:10:96::20'] }),
];

const endpoints: Endpoints[] = [
  eps('default', 'web', [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ name: 'http', port: 8080 }] }]),
  eps('default', 'db', [
    {
      addresses: [
        { ip: '10.244.1.10', hostname: 'db-0' },
        { ip: '10.244.1.11', hostname: 'db-1' },
        { ip: '10.244.1.12' },
      ],
      notReadyAddresses: [{ ip: '10.244.1.13', hostname: 'db-3' }],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    },
  ]),
  eps('shop', 'cart', [
    { addresses: [{ ip: '10.244.2.1' }], notReadyAddresses: [{ ip: '10.244.2.2', hostname: 'cart-1' }] },
  ]),
  eps('shop', 'empty', [{ notReadyAddresses: [{ ip: '10.244.2.9' }] }]),
  eps('shop', 'tolerant', [{ notReadyAddresses: [{ ip: '10.244.2.7' }] }], '1234'),
];

const index = buildIndex(services, endpoints);

function q(name: string, type: Question['type'] = 'A'): Resolution {
  return resolve({ name, type, class: 'IN' }, index);
}

function local(res: Resolution): LocalAnswer {
  if (res.forward) throw new Error('expected a local answer, got forward');
  return res;
}

const data = (rrs: readonly Answer[]) => rrs.map((a) => ('data' in a ? a.data : undefined));

describe('resolve: services', () => {
  it.each([
    ['web.default.svc.cluster.local', ['10.96.0.10']],
    ['WEB.Default.SVC.cluster.LOCAL.', ['10.96.0.10']], // case-insensitive, trailing dot
    ['web.default.svc.cluster.local..', ['10.96.0.10']],
    ['db.default.svc.cluster.local', ['10.244.1.10', '10.244.1.11', '10.244.1.12']], // headless: ready only
    ['cart.shop.svc.cluster.local', ['10.244.2.1', '10.244.2.2']], // publishNotReadyAddresses
    ['tolerant.shop.svc.cluster.local', ['10.244.2.7']], // the deprecated annotation
    ['db-0.db.default.svc.cluster.local', ['10.244.1.10']], // pod hostname (StatefulSet)
    ['DB-1.db.default.svc.cluster.local', ['10.244.1.11']],
    ['10-244-1-12.db.default.svc.cluster.local', ['10.244.1.12']], // no hostname: the dashed IP
    ['cart-1.cart.shop.svc.cluster.local', ['10.244.2.2']],
    ['dual.default.svc.cluster.local', ['10.96.0.20']],
  ])('A %s → %j', (name, ips) => {
    const res = local(q(name));
    expect(res.rcode).toBe('NOERROR');
    expect(res.authoritative).toBe(true);
    expect(data(res.answers)).toEqual(ips);
    for (const a of res.answers) expect(a).toMatchObject({ type: 'A', ttl: DEFAULT_TTL, class: 'IN' });
  });

  it('answers AAAA from an IPv6 ClusterIP', () => {
    expect(data(local(q('dual.default.svc.cluster.local', 'AAAA')).answers)).toEqual(['fd00:10:96::20']);
  });

  it('does not publish not-ready endpoints or their hostnames without publishNotReadyAddresses', () => {
    expect(local(q('db-3.db.default.svc.cluster.local')).rcode).toBe('NXDOMAIN');
  });

  it('answers NXDOMAIN for a headless service with no ready endpoint (spec 2.4.1)', () => {
    expect(local(q('empty.shop.svc.cluster.local')).rcode).toBe('NXDOMAIN');
  });

  it('answers an ExternalName service with a CNAME and asks the server to chase the target', () => {
    const res = local(q('ext.default.svc.cluster.local'));
    expect(res.answers).toEqual([
      {
        type: 'CNAME',
        name: 'ext.default.svc.cluster.local',
        ttl: DEFAULT_TTL,
        class: 'IN',
        data: 'www.example.com',
      },
    ]);
    expect(res.chase).toEqual({ name: 'www.example.com', type: 'A' });
    expect(local(q('ext.default.svc.cluster.local', 'CNAME')).chase).toBeUndefined();
  });

  it('follows a CNAME that stays in the zone', () => {
    const res = local(q('alias.default.svc.cluster.local'));
    expect(res.answers.map((a) => a.type)).toEqual(['CNAME', 'A']);
    expect(data(res.answers)).toEqual(['web.default.svc.cluster.local', '10.96.0.10']);
    expect(res.chase).toBeUndefined();
  });
});

describe('resolve: SRV', () => {
  it('targets the service name for a ClusterIP service (service port), with its A record as additional', () => {
    const res = local(q('_http._tcp.web.default.svc.cluster.local', 'SRV'));
    expect(res.answers).toEqual([
      {
        type: 'SRV',
        name: '_http._tcp.web.default.svc.cluster.local',
        ttl: DEFAULT_TTL,
        class: 'IN',
        data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
      },
    ]);
    expect(data(res.additionals)).toEqual(['10.96.0.10']);
    expect(data(local(q('_dns._udp.web.default.svc.cluster.local', 'SRV')).answers)).toEqual([
      { priority: 0, weight: 100, port: 53, target: 'web.default.svc.cluster.local' },
    ]);
  });

  it('has one SRV per ready endpoint of a headless service, targeting hostname or dashed IP', () => {
    const res = local(q('_pg._tcp.db.default.svc.cluster.local', 'SRV'));
    expect(data(res.answers)).toEqual([
      { priority: 0, weight: 33, port: 5432, target: 'db-0.db.default.svc.cluster.local' },
      { priority: 0, weight: 33, port: 5432, target: 'db-1.db.default.svc.cluster.local' },
      { priority: 0, weight: 33, port: 5432, target: '10-244-1-12.db.default.svc.cluster.local' },
    ]);
    expect(res.additionals.map((a) => [a.name, 'data' in a ? a.data : ''])).toEqual([
      ['db-0.db.default.svc.cluster.local', '10.244.1.10'],
      ['db-1.db.default.svc.cluster.local', '10.244.1.11'],
      ['10-244-1-12.db.default.svc.cluster.local', '10.244.1.12'],
    ]);
  });

  it('has no SRV for an unnamed port, a wrong protocol or an unknown port name', () => {
    expect(local(q('_9090._tcp.web.default.svc.cluster.local', 'SRV')).rcode).toBe('NXDOMAIN');
    expect(local(q('_http._udp.web.default.svc.cluster.local', 'SRV')).rcode).toBe('NXDOMAIN');
    expect(local(q('_nope._tcp.web.default.svc.cluster.local', 'SRV')).rcode).toBe('NXDOMAIN');
  });
});

describe('resolve: PTR', () => {
  it.each([
    ['10.0.96.10.in-addr.arpa', 'web.default.svc.cluster.local'],
    ['10.1.244.10.in-addr.arpa.', 'db-0.db.default.svc.cluster.local'],
    ['12.1.244.10.IN-ADDR.ARPA', '10-244-1-12.db.default.svc.cluster.local'],
  ])('%s → %s', (name, target) => {
    const res = local(q(name, 'PTR'));
    expect(res.rcode).toBe('NOERROR');
    expect(data(res.answers)).toEqual([target]);
  });

  it('answers the IPv6 ClusterIP under ip6.arpa', () => {
    const rev = reverseName('fd00:10:96::20')!;
    expect(rev).toBe('0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa');
    expect(data(local(q(rev, 'PTR')).answers)).toEqual(['dual.default.svc.cluster.local']);
  });

  it('forwards reverse names it does not know, and non-PTR questions about known ones', () => {
    expect(q('1.1.168.192.in-addr.arpa', 'PTR')).toEqual({ forward: true });
    expect(q('10.0.96.10.in-addr.arpa', 'A')).toEqual({ forward: true });
  });
});

describe('resolve: negative answers', () => {
  it.each([
    'nope.default.svc.cluster.local',
    'web.nope.svc.cluster.local',
    'web.default.cluster.local',
    'a.b.c.web.default.svc.cluster.local',
    'x.cluster.local',
    '*.default.svc.cluster.local',
  ])('NXDOMAIN with the SOA for %s', (name) => {
    const res = local(q(name));
    expect(res.rcode).toBe('NXDOMAIN');
    expect(res.answers).toEqual([]);
    expect(res.authority).toHaveLength(1);
    expect(res.authority[0]).toMatchObject({ type: 'SOA', name: 'cluster.local', ttl: DEFAULT_TTL });
  });

  it.each([
    ['web.default.svc.cluster.local', 'AAAA'],
    ['web.default.svc.cluster.local', 'MX'],
    ['db-0.db.default.svc.cluster.local', 'TXT'],
    ['default.svc.cluster.local', 'A'], // empty non-terminal: the namespace has services
    ['svc.cluster.local', 'A'],
    ['_tcp.web.default.svc.cluster.local', 'SRV'],
    ['cluster.local', 'A'],
  ] as const)('NODATA (NOERROR, no answers, SOA) for %s %s', (name, type) => {
    const res = local(q(name, type));
    expect(res.rcode).toBe('NOERROR');
    expect(res.answers).toEqual([]);
    expect(res.authority.map((a) => a.type)).toEqual(['SOA']);
  });

  it('uses the highest resourceVersion as the SOA serial', () => {
    const soa = local(q('x.cluster.local')).authority[0];
    expect(soa.type === 'SOA' && soa.data.serial).toBe(1234);
  });

  it('answers SERVFAIL for zone names before the source has synced (no false NXDOMAIN)', () => {
    expect(
      resolve({ name: 'web.default.svc.cluster.local', type: 'A' }, index, { synced: false }),
    ).toMatchObject({
      rcode: 'SERVFAIL',
      answers: [],
    });
    expect(resolve({ name: 'example.com', type: 'A' }, index, { synced: false })).toEqual({ forward: true });
  });

  it('refuses classes other than IN inside the zone', () => {
    expect(
      local(resolve({ name: 'web.default.svc.cluster.local', type: 'A', class: 'CH' }, index)).rcode,
    ).toBe('REFUSED');
  });
});

describe('resolve: zone apex, schema version, pods', () => {
  it('has SOA and NS at the apex and the schema version TXT', () => {
    expect(local(q('cluster.local', 'SOA')).answers[0]).toMatchObject({
      type: 'SOA',
      data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', minimum: DEFAULT_TTL },
    });
    expect(data(local(q('cluster.local', 'NS')).answers)).toEqual(['ns.dns.cluster.local']);
    expect(data(local(q('dns-version.cluster.local', 'TXT')).answers)).toEqual(['1.0.1']);
  });

  it('publishes the nameserver addresses as ns.dns.<zone>', () => {
    const withNs = buildIndex([], [], 'cluster.local', { nameservers: ['10.244.1.1'] });
    expect(data(local(resolve({ name: 'ns.dns.cluster.local', type: 'A' }, withNs)).answers)).toEqual([
      '10.244.1.1',
    ]);
  });

  it.each([
    ['10-244-1-5.default.pod.cluster.local', '10.244.1.5'],
    ['1-2-3-4.any-ns.pod.cluster.local.', '1.2.3.4'],
  ])('answers the pod A record %s → %s from the name', (name, ip) => {
    expect(data(local(q(name)).answers)).toEqual([ip]);
  });

  it.each([
    '10-244-1-256.default.pod.cluster.local',
    '10-244-1.default.pod.cluster.local',
    'x.1-2-3-4.d.pod.cluster.local',
    '01-2-3-4.d.pod.cluster.local',
  ])('NXDOMAIN for the malformed pod name %s', (name) => {
    expect(local(q(name)).rcode).toBe('NXDOMAIN');
  });

  it('NODATA for pod names with other types and for the namespace level', () => {
    expect(local(q('10-244-1-5.default.pod.cluster.local', 'AAAA'))).toMatchObject({
      rcode: 'NOERROR',
      answers: [],
    });
    expect(local(q('default.pod.cluster.local'))).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });
});

describe('resolve: forward decision', () => {
  it.each(['example.com', 'cluster.local.example.com', 'notcluster.local', 'localhost', 'com', '.'])(
    'forwards %s',
    (name) => {
      expect(q(name)).toEqual({ forward: true });
    },
  );

  it('honours a custom cluster domain', () => {
    const custom = buildIndex(services, endpoints, 'Corp.Example.');
    expect(data(local(resolve({ name: 'web.default.svc.corp.example', type: 'A' }, custom)).answers)).toEqual(
      ['10.96.0.10'],
    );
    expect(resolve({ name: 'web.default.svc.cluster.local', type: 'A' }, custom)).toEqual({ forward: true });
  });
});

describe('buildIndex: robustness', () => {
  it('skips objects it cannot use instead of throwing', () => {
    const bad = [
      { metadata: {}, spec: {} } as unknown as Service,
      svc('default', 'x'.repeat(70), { clusterIP: '10.96.0.99' }), // label too long
      svc('default', 'badip', { clusterIP: 'not-an-ip' }),
      svc('default', 'badext', { type: 'ExternalName', externalName: 'a..b' }),
      svc('default', 'nospec', undefined as unknown as ServiceSpec),
    ];
    const idx = buildIndex(
      [...bad, {} as Service, null as unknown as Service],
      [{ metadata: {} } as unknown as Endpoints, {} as Endpoints, null as unknown as Endpoints],
    );
    expect(local(resolve({ name: 'badip.default.svc.cluster.local', type: 'A' }, idx))).toMatchObject({
      rcode: 'NOERROR',
      answers: [],
    });
    expect(local(resolve({ name: 'badext.default.svc.cluster.local', type: 'A' }, idx)).rcode).toBe(
      'NXDOMAIN',
    );
  });

  it('helpers normalise names and dash IPs', () => {
    expect(normalizeName('A.B.')).toBe('a.b');
    expect(dashedIP('10.244.1.5')).toBe('10-244-1-5');
    expect(reverseName('bogus')).toBeUndefined();
  });
});
