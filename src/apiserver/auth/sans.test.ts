import { describe, expect, it } from 'vitest';
import { sameNames, servingNames, tlsSanProblem } from './sans.js';

const SERVICE_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
  'localhost',
];

describe('the API server certificate names', () => {
  it('lists the host, the listen address, loopback, the advertise address and the kubernetes Service', () => {
    expect(
      servingNames({
        hostnames: ['Master-1'],
        listenHost: '10.200.0.1',
        interfaceAddresses: ['10.0.0.5', '127.0.0.1'],
        advertiseAddress: '10.200.0.1',
        serviceIP: '10.96.0.1',
      }),
    ).toEqual({
      dnsNames: [...SERVICE_NAMES, 'master-1'].sort(),
      ipAddresses: ['10.200.0.1', '10.96.0.1', '127.0.0.1'],
    });
  });

  it('names every address of the machine when listening on all of them', () => {
    const names = servingNames({
      hostnames: ['m'],
      listenHost: '0.0.0.0',
      interfaceAddresses: ['127.0.0.1', '172.31.5.9', 'fe80::1', '::1'],
      advertiseAddress: '172.31.5.9',
      serviceIP: '10.96.0.1',
    });
    expect(names.ipAddresses).toEqual(['10.96.0.1', '127.0.0.1', '172.31.5.9', '::1', 'fe80::1']);
    expect(names.ipAddresses).not.toContain('0.0.0.0');
  });

  it('adds --tls-san values as IPs or DNS names, once each, whatever their spelling', () => {
    const names = servingNames({
      hostnames: ['m'],
      listenHost: '127.0.0.1',
      interfaceAddresses: [],
      serviceIP: '10.100.0.1',
      clusterDomain: 'lab.local',
      extra: ['Master.Example.COM', '54.1.2.3', '0:0:0:0:0:0:0:1', '127.0.0.1'],
    });
    expect(names.dnsNames).toContain('master.example.com');
    expect(names.dnsNames).toContain('kubernetes.default.svc.lab.local');
    expect(names.ipAddresses).toEqual(['10.100.0.1', '127.0.0.1', '54.1.2.3', '::1']);
  });

  it('refuses a --tls-san that is neither an address nor a DNS name', () => {
    expect(tlsSanProblem('master.example.com')).toBeUndefined();
    expect(tlsSanProblem('10.0.0.1')).toBeUndefined();
    expect(tlsSanProblem('*.example.com')).toBeUndefined();
    expect(tlsSanProblem('not a name')).toMatch(/neither an IP address nor a DNS name/);
    expect(tlsSanProblem('-bad.example')).toMatch(/neither/);
  });

  it('compares name sets regardless of order, case and IPv6 spelling', () => {
    expect(
      sameNames(
        { dnsNames: ['b', 'A'], ipAddresses: ['::1', '10.0.0.1'] },
        { dnsNames: ['a', 'b'], ipAddresses: ['10.0.0.1', '0:0:0:0:0:0:0:1'] },
      ),
    ).toBe(true);
    expect(
      sameNames({ dnsNames: ['a'], ipAddresses: [] }, { dnsNames: ['a'], ipAddresses: ['10.0.0.1'] }),
    ).toBe(false);
  });
});
