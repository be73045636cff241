import { describe, expect, it } from 'vitest';
import {
  hostUpstreams,
  isUsableResolver,
  parseResolvConf,
  parseUpstream,
  type TextFileReader,
} from './upstream.js';

const files =
  (contents: Record<string, string>): TextFileReader =>
  (path) =>
    contents[path];

const SYSTEMD = '/run/systemd/resolve/resolv.conf';
const CLASSIC = '/etc/resolv.conf';

describe('parseResolvConf', () => {
  it('returns nameserver lines in order, ignoring comments and options', () => {
    const text = [
      '# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).',
      'nameserver 172.31.0.2',
      '  nameserver   10.0.0.2   # trailing comment',
      '; nameserver 9.9.9.9',
      'search ec2.internal',
      'options edns0 trust-ad',
      'nameserver 2001:db8::53',
      'nameserverx 1.1.1.1',
    ].join('\n');
    expect(parseResolvConf(text)).toEqual(['172.31.0.2', '10.0.0.2', '2001:db8::53']);
  });
});

describe('isUsableResolver', () => {
  it.each([
    ['127.0.0.53', false], // systemd-resolved stub
    ['127.0.0.11', false], // Docker's embedded DNS
    ['127.0.0.1', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['224.0.0.251', false],
    ['not-an-ip', false],
    ['1.2.3', false],
    ['10.255.255.53', true],
    ['172.31.0.2', true],
    ['2001:db8::53', true],
    ['fe80::1%eth0', true],
  ])('%s → %s', (host, usable) => {
    expect(isUsableResolver(host)).toBe(usable);
  });
});

describe('hostUpstreams', () => {
  it('prefers systemd-resolved’s real list over the stub in /etc/resolv.conf', () => {
    const read = files({
      [SYSTEMD]: 'nameserver 172.31.0.2\nnameserver 127.0.0.53\n',
      [CLASSIC]: 'nameserver 127.0.0.53\noptions edns0\n',
    });
    expect(hostUpstreams(read)).toEqual([{ host: '172.31.0.2', port: 53 }]);
  });

  it('reads /etc/resolv.conf when there is no systemd file, dropping loopback resolvers', () => {
    const read = files({ [CLASSIC]: 'nameserver 127.0.0.11\nnameserver 10.255.255.53\nnameserver ::1\n' });
    expect(hostUpstreams(read)).toEqual([{ host: '10.255.255.53', port: 53 }]);
  });

  it('falls through a systemd file that names only loopback resolvers', () => {
    const read = files({ [SYSTEMD]: 'nameserver 127.0.0.1\n', [CLASSIC]: 'nameserver 192.0.2.1\n' });
    expect(hostUpstreams(read)).toEqual([{ host: '192.0.2.1', port: 53 }]);
  });

  it('is empty when no usable resolver exists (forwarded queries then get SERVFAIL)', () => {
    expect(hostUpstreams(files({ [CLASSIC]: 'nameserver 127.0.0.53\n' }))).toEqual([]);
    expect(hostUpstreams(files({}))).toEqual([]);
  });

  it('reads the real files without throwing', () => {
    expect(Array.isArray(hostUpstreams())).toBe(true);
  });
});

describe('parseUpstream', () => {
  it.each([
    ['10.0.0.2', { host: '10.0.0.2', port: 53 }],
    ['10.0.0.2:5353', { host: '10.0.0.2', port: 5353 }],
    ['2001:db8::1', { host: '2001:db8::1', port: 53 }],
    ['[2001:db8::1]:5353', { host: '2001:db8::1', port: 5353 }],
    ['[::1]', { host: '::1', port: 53 }],
    [' 127.0.0.1:1053 ', { host: '127.0.0.1', port: 1053 }],
    ['10.0.0.2:0', undefined],
    ['10.0.0.2:70000', undefined],
    ['dns.google', undefined],
    ['', undefined],
  ])('%j → %j', (spec, expected) => {
    expect(parseUpstream(spec)).toEqual(expected);
  });
});
