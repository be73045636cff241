// `skiff master`'s node lifecycle flags: the profile and the single overrides reach MasterOptions as numbers.
import { describe, expect, it } from 'vitest';
import { eventually, testCli } from '../cli-test-support.js';
import type { Daemons, MasterOptions } from '../context.js';

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
