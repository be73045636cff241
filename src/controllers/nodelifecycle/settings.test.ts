import { describe, expect, it } from 'vitest';
import { isNodeLifecycleProfile, nodeLifecycleSettings } from './settings.js';

describe('nodeLifecycleSettings', () => {
  it('lab (the default): 10 s grace, 1 s checks, 5 s tolerations', () => {
    expect(nodeLifecycleSettings()).toEqual({
      nodeMonitorPeriodMs: 1000,
      nodeMonitorGracePeriodMs: 10_000,
      nodeStartupGracePeriodMs: 20_000,
      defaultNotReadyTolerationSeconds: 5,
      defaultUnreachableTolerationSeconds: 5,
      podGCPeriodMs: 5000,
      podGCQuarantineMs: 10_000,
    });
  });

  it('kubernetes: upstream 1.32 (50 s grace, 5 s checks, 60 s startup grace, 300 s tolerations)', () => {
    expect(nodeLifecycleSettings('kubernetes')).toEqual({
      nodeMonitorPeriodMs: 5000,
      nodeMonitorGracePeriodMs: 50_000,
      nodeStartupGracePeriodMs: 60_000,
      defaultNotReadyTolerationSeconds: 300,
      defaultUnreachableTolerationSeconds: 300,
      podGCPeriodMs: 20_000,
      podGCQuarantineMs: 40_000,
    });
  });

  it('overrides single values, ignores undefined ones, and keeps the startup grace ≥ the monitor grace', () => {
    const s = nodeLifecycleSettings('kubernetes', {
      defaultUnreachableTolerationSeconds: 0,
      nodeMonitorGracePeriodMs: 90_000,
      nodeMonitorPeriodMs: undefined,
    });
    expect(s.defaultUnreachableTolerationSeconds).toBe(0);
    expect(s.defaultNotReadyTolerationSeconds).toBe(300);
    expect(s.nodeMonitorPeriodMs).toBe(5000);
    expect(s.nodeStartupGracePeriodMs).toBe(90_000);
    expect(nodeLifecycleSettings('lab', { nodeMonitorPeriodMs: 1 }).nodeMonitorPeriodMs).toBe(100);
  });

  it('knows its profiles', () => {
    expect(['lab', 'kubernetes', 'k8s', ''].map(isNodeLifecycleProfile)).toEqual([true, true, false, false]);
  });
});
