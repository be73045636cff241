// `skiff master`'s node lifecycle flags: the profile and the single overrides reach MasterOptions as numbers.
import { describe, expect, it } from 'vitest';
import { eventually, testCli } from '../cli-test-support.js';
import type { AgentOptions, Daemons, MasterOptions } from '../context.js';

function fakeDaemons() {
  const seen: { master?: MasterOptions } = {};
  const daemons: Daemons = {
    startMaster: async (opts) => {
      seen.master = opts;
      return { url: `http://${opts.listen}`, stop: async () => {} };
    },
    runAgent: () => Promise.reject(new Error('unused')),
    cleanupAgent: () => Promise.reject(new Error('unused')),
  };
  return { seen, daemons };
}

async function startWith(...args: string[]): Promise<MasterOptions> {
  const { seen, daemons } = fakeDaemons();
  const cli = testCli({ daemons });
  const running = cli.run('master', ...args);
  await eventually(() => seen.master !== undefined, 'the master to start');
  cli.interrupt();
  expect((await running).code).toBe(0);
  return seen.master!;
}

const lifecycle = (o: MasterOptions) => ({
  profile: o.profile,
  nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs,
  nodeMonitorPeriodMs: o.nodeMonitorPeriodMs,
  defaultNotReadyTolerationSeconds: o.defaultNotReadyTolerationSeconds,
  defaultUnreachableTolerationSeconds: o.defaultUnreachableTolerationSeconds,
});

describe('skiff master node lifecycle flags', () => {
  it('defaults to the lab profile and leaves every value to it', async () => {
    expect(lifecycle(await startWith())).toEqual({
      profile: 'lab',
      nodeMonitorGracePeriodMs: undefined,
      nodeMonitorPeriodMs: undefined,
      defaultNotReadyTolerationSeconds: undefined,
      defaultUnreachableTolerationSeconds: undefined,
    });
  });

  it('passes the profile and Go durations / seconds through', async () => {
    const opts = await startWith(
      '--profile',
      'kubernetes',
      '--node-monitor-grace-period',
      '1m30s',
      '--node-monitor-period=500ms',
      '--default-not-ready-toleration-seconds',
      '0',
      '--default-unreachable-toleration-seconds',
      '120',
    );
    expect(lifecycle(opts)).toEqual({
      profile: 'kubernetes',
      nodeMonitorGracePeriodMs: 90_000,
      nodeMonitorPeriodMs: 500,
      defaultNotReadyTolerationSeconds: 0,
      defaultUnreachableTolerationSeconds: 120,
    });
  });

  it.each([
    [
      ['--profile', 'k8s'],
      'error: invalid argument "k8s" for "--profile" flag: must be one of lab, kubernetes',
    ],
    [
      ['--node-monitor-grace-period', 'soon'],
      'error: invalid argument "soon" for "--node-monitor-grace-period" flag: time: invalid duration "soon"',
    ],
    [
      ['--node-monitor-period', '0s'],
      'error: invalid argument "0s" for "--node-monitor-period" flag: must be positive',
    ],
    [
      ['--default-unreachable-toleration-seconds', '-1'],
      'error: invalid argument "-1" for "--default-unreachable-toleration-seconds" flag: must not be negative',
    ],
  ])('rejects %j', async (args, message) => {
    const { seen, daemons } = fakeDaemons();
    const result = await testCli({ daemons }).run('master', ...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(seen.master).toBeUndefined();
  });
});

describe('skiff master security flags', () => {
  it('passes --insecure-listen (loopback) and --tls-san values through', async () => {
    const opts = await startWith(
      '--insecure-listen',
      '127.0.0.1:8080',
      '--tls-san',
      'master.example.com,54.1.2.3',
      '--tls-san',
      '10.0.0.5',
    );
    expect(opts.insecureListen).toBe('127.0.0.1:8080');
    expect(opts.tlsSANs).toEqual(['master.example.com', '54.1.2.3', '10.0.0.5']);
    expect((await startWith()).insecureListen).toBeUndefined();
  });

  it.each([
    [['--insecure-listen', '0.0.0.0:8080'], '--insecure-listen must be a loopback address'],
    [['--insecure-listen', '10.0.0.1:8080'], '--insecure-listen must be a loopback address'],
    [['--tls-san', 'not a name'], 'error: --tls-san "not a name" is neither an IP address nor a DNS name'],
  ])('rejects %j', async (args, message) => {
    const { seen, daemons } = fakeDaemons();
    const result = await testCli({ daemons }).run('master', ...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(seen.master).toBeUndefined();
  });
});

describe('skiff agent join flags', () => {
  async function agentWith(files: Record<string, string>, ...args: string[]) {
    let seen: AgentOptions | undefined;
    const daemons: Daemons = {
      startMaster: () => Promise.reject(new Error('unused')),
      runAgent: async (opts) => {
        seen = opts;
        return { stop: async () => {} };
      },
      cleanupAgent: () => Promise.reject(new Error('unused')),
    };
    const cli = testCli({ daemons, files });
    const running = cli.run('agent', ...args);
    const stopped = running.then((r) => r);
    await Promise.race([eventually(() => seen !== undefined, 'the agent to start'), stopped]);
    cli.interrupt();
    return { result: await running, seen };
  }

  it('passes the join token, the CA hash and the CA file to the agent', async () => {
    const hash = `sha256:${'ab'.repeat(32)}`;
    const { seen } = await agentWith(
      { '/ca.crt': 'PEM' },
      '--master',
      'https://10.0.0.1:6443',
      '--token',
      'abcdef.0123456789abcdef',
      '--ca-cert-hash',
      hash.toUpperCase().replace('SHA256', 'sha256'),
      '--ca-file',
      '/ca.crt',
    );
    expect(seen).toMatchObject({
      masterUrl: 'https://10.0.0.1:6443',
      token: 'abcdef.0123456789abcdef',
      caCertHash: hash,
      ca: 'PEM',
    });
  });

  it('refuses a malformed hash and an unreadable CA file', async () => {
    const bad = await agentWith({}, '--ca-cert-hash', 'md5:abc');
    expect(bad.seen).toBeUndefined();
    expect(bad.result.stderr).toContain('want sha256:<64 hex digits>');
    const missing = await agentWith({}, '--ca-file', '/nope');
    expect(missing.seen).toBeUndefined();
    expect(missing.result.stderr).toContain('error: unable to read --ca-file /nope');
  });
});
