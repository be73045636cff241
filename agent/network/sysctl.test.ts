import { describe, expect, it } from 'vitest';
import type { CommandRunner } from './command.js';
import { ProcSysctl, sysctlPath } from './sysctl.js';

describe('sysctlPath', () => {
  it('maps keys to /proc/sys paths and refuses anything else', () => {
    expect(sysctlPath('net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(sysctlPath('net.bridge.bridge-nf-call-iptables')).toBe(
      '/proc/sys/net/bridge/bridge-nf-call-iptables',
    );
    for (const bad of ['', 'net', '../etc/passwd', 'net.ipv4/../../x', 'net..x']) {
      expect(() => sysctlPath(bad)).toThrow(/bad sysctl key/);
    }
  });
});

describe('ProcSysctl in a network namespace', () => {
  it('reads with cat and writes with tee inside the namespace', async () => {
    const calls: { argv: string[]; input?: string }[] = [];
    const run: CommandRunner = async (cmd, args, input) => {
      calls.push({ argv: [cmd, ...args], input });
      if (args.includes('/proc/sys/net/bridge/bridge-nf-call-iptables') && args.includes('cat')) {
        return { code: 1, stdout: '', stderr: 'cat: No such file or directory' };
      }
      return { code: 0, stdout: '1\n', stderr: '' };
    };
    const sysctl = new ProcSysctl({ netns: 'skt-9', run });
    expect(await sysctl.get('net.ipv4.ip_forward')).toBe('1');
    expect(await sysctl.get('net.bridge.bridge-nf-call-iptables')).toBeUndefined();
    await sysctl.set('net.ipv4.ip_forward', '1');
    expect(calls).toEqual([
      {
        argv: ['nsenter', '--net=/run/netns/skt-9', '--', 'cat', '/proc/sys/net/ipv4/ip_forward'],
        input: undefined,
      },
      {
        argv: [
          'nsenter',
          '--net=/run/netns/skt-9',
          '--',
          'cat',
          '/proc/sys/net/bridge/bridge-nf-call-iptables',
        ],
        input: undefined,
      },
      {
        argv: ['nsenter', '--net=/run/netns/skt-9', '--', 'tee', '/proc/sys/net/ipv4/ip_forward'],
        input: '1\n',
      },
    ]);
  });

  it('reads this namespace’s /proc/sys directly without a netns', async () => {
    const sysctl = new ProcSysctl();
    expect(await sysctl.get('net.ipv4.ip_forward')).toMatch(/^[01]$/);
    expect(await sysctl.get('net.ipv4.no_such_setting')).toBeUndefined();
  });
});
