import { describe, expect, it } from 'vitest';
import { HOOK_RULES, endpointChainName, isProxyChain, serviceChainName, servicePortName } from './chains.js';

describe('chain names', () => {
  // Expected hashes copied from kube-proxy's proxier_test.go (KUBE- prefix there): same input, same hash.
  it('hashes a service port like kube-proxy servicePortChainName', () => {
    expect(serviceChainName('ns1/svc1:p80', 'tcp')).toBe('SKIFF-SVC-XPGD46QRK7WJZT7O');
    expect(serviceChainName('ns4/svc4:p80', 'tcp')).toBe('SKIFF-SVC-4SW47YFZTEDKD3PK');
  });

  it('hashes an endpoint like kube-proxy servicePortEndpointChainName', () => {
    expect(endpointChainName('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('SKIFF-SEP-SXIVWICOYRO3J4NJ');
    expect(endpointChainName('ns1/svc1:p80', 'tcp', '10.180.0.2:80')).toBe('SKIFF-SEP-LXVODXWDISEETFEF');
    expect(endpointChainName('ns1/svc1:p80', 'tcp', '10.180.2.1:80')).toBe('SKIFF-SEP-ZX7GRIZKSNUQ3LAJ');
  });

  it('names an unnamed port ns/name, a named one ns/name:port', () => {
    expect(servicePortName('default', 'web', undefined)).toBe('default/web');
    expect(servicePortName('default', 'web', '')).toBe('default/web');
    expect(servicePortName('default', 'web', 'http')).toBe('default/web:http');
  });

  it('keeps names within the 28 characters iptables allows', () => {
    expect(
      endpointChainName('a-very-long-namespace/a-very-long-service:metrics', 'sctp', '10.244.255.254:65535'),
    ).toHaveLength(26);
  });
});

describe('ownership', () => {
  it('claims only the proxy chains, never the network agent’s or Docker’s', () => {
    for (const c of [
      'SKIFF-SERVICES',
      'SKIFF-NODEPORTS',
      'SKIFF-POSTROUTING',
      'SKIFF-MARK-MASQ',
      'SKIFF-SVC-X',
      'SKIFF-SEP-Y',
    ])
      expect(isProxyChain('nat', c)).toBe(true);
    for (const c of ['SKIFF-POD-MASQ', 'DOCKER', 'PREROUTING', 'SKIFF-PROXY'])
      expect(isProxyChain('nat', c)).toBe(false);
    expect(isProxyChain('filter', 'SKIFF-PROXY')).toBe(true);
    for (const c of ['SKIFF-FORWARD', 'DOCKER-USER', 'SKIFF-SERVICES'])
      expect(isProxyChain('filter', c)).toBe(false);
  });

  it('marks every hook rule with the skiff comment', () => {
    expect(HOOK_RULES).toHaveLength(6);
    for (const h of HOOK_RULES) expect(h.args.join(' ')).toContain('-m comment --comment skiff -j SKIFF-');
  });
});
