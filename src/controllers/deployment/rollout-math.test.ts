import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../api/types.js';
import {
  isSaturated,
  maxSurge,
  maxUnavailable,
  minAvailable,
  newRSNewReplicas,
  replicaSetFraction,
  replicaSetProportion,
  resolveFenceposts,
  scaledValue,
} from './rollout-math.js';
import { deployment, rsFor, templateWithImage } from './test-support.js';

describe('scaledValue (intstr.GetScaledValueFromIntOrPercent)', () => {
  it.each([
    [3, 10, true, 3],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['39%', 10, true, 4],
    ['39%', 10, false, 3],
    ['100%', 7, false, 7],
    ['0%', 7, true, 0],
    ['1%', 1, true, 1],
    ['1%', 1, false, 0],
    ['50%', 0, true, 0],
  ])('%s of %i (round up %s) = %i', (value, total, up, expected) => {
    expect(scaledValue(value, total, up)).toBe(expected);
  });

  it('rejects strings that are not percentages', () => {
    expect(() => scaledValue('oops', 10, true)).toThrow('string is not a percentage');
    expect(() => scaledValue('3', 10, true)).toThrow('string is not a percentage');
    expect(() => scaledValue('x%', 10, true)).toThrow('invalid value');
  });
});

describe('resolveFenceposts', () => {
  it.each([
    // deployment_util_test.go TestResolveFenceposts
    ['0%', '0%', 0, 0, 1],
    ['39%', '39%', 10, 4, 3],
    // The rollout default, 25%/25%: surge rounds up, unavailable rounds down.
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 3, 1, 0],
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 1, 1, 0],
    // The cases in ResolveFenceposts' comment.
    ['0%', '1%', 2, 0, 1],
    ['1%', '25%', 2, 1, 0],
    ['1%', '0%', 1, 1, 0],
    // Ints.
    [2, 1, 5, 2, 1],
    [0, 0, 3, 0, 1],
    [0, 2, 10, 0, 2],
  ])('surge %s, unavailable %s, %i desired → %i, %i', (s, u, desired, surge, unavailable) => {
    expect(resolveFenceposts(s, u, desired)).toEqual({ surge, unavailable });
  });

  it.each([
    ['oops', '39%'],
    ['55%', 'urg'],
  ])('fails for %s / %s', (s, u) => {
    expect(() => resolveFenceposts(s, u, 10)).toThrow();
  });
});

describe('maxUnavailable / maxSurge / minAvailable', () => {
  const d = (replicas: number, unavailable: number | string): Deployment =>
    deployment('web', { replicas, maxSurge: 1, maxUnavailable: unavailable });

  it.each([
    // deployment_util_test.go TestMaxUnavailable
    ['less than replicas', d(10, 5), 5],
    ['equal replicas', d(10, 10), 10],
    ['greater than replicas', d(5, 10), 5],
    ['replicas is 0', d(0, 10), 0],
    ['Recreate', deployment('web', { strategy: 'Recreate' }), 0],
    ['less than replicas with percents', d(10, '50%'), 5],
    ['equal replicas with percents', d(10, '100%'), 10],
    ['greater than replicas with percents', d(5, '100%'), 5],
  ])('maxUnavailable %s', (_name, dep, expected) => {
    expect(maxUnavailable(dep)).toBe(expected);
  });

  it('computes the 25%/25% defaults for 10 replicas: surge 3, unavailable 2, min available 8', () => {
    const dep = deployment('web', { replicas: 10 });
    expect(maxSurge(dep)).toBe(3);
    expect(maxUnavailable(dep)).toBe(2);
    expect(minAvailable(dep)).toBe(8);
  });

  it('has no surge and no minimum for Recreate', () => {
    const dep = deployment('web', { replicas: 10, strategy: 'Recreate' });
    expect(maxSurge(dep)).toBe(0);
    expect(minAvailable(dep)).toBe(0);
  });
});

describe('newRSNewReplicas', () => {
  // deployment_util_test.go TestNewRSNewReplicas: one other ReplicaSet of 5, maxUnavailable 1.
  it.each([
    ['can not scale up - to newRSReplicas', 'RollingUpdate', 1, 5, 1, 5],
    ['scale up - to depReplicas', 'RollingUpdate', 6, 2, 10, 6],
    ['recreate - to depReplicas', 'Recreate', 3, 1, 1, 3],
  ] as const)('%s', (_name, strategy, depReplicas, newReplicas, surge, expected) => {
    const dep = deployment('web', { replicas: depReplicas, strategy, maxSurge: surge, maxUnavailable: 1 });
    const rs5 = rsFor(dep, { replicas: 5, template: templateWithImage(dep, 'old') });
    const newRS = rsFor(dep, { replicas: newReplicas });
    expect(newRSNewReplicas(dep, [rs5], newRS)).toBe(expected);
  });

  it('grows within replicas + maxSurge', () => {
    const dep = deployment('web', { replicas: 10 }); // surge 3
    const old = rsFor(dep, { replicas: 10, template: templateWithImage(dep, 'old') });
    const newRS = rsFor(dep, { replicas: 0 });
    expect(newRSNewReplicas(dep, [old, newRS], newRS)).toBe(3);
    old.spec.replicas = 8;
    newRS.spec.replicas = 3;
    expect(newRSNewReplicas(dep, [old, newRS], newRS)).toBe(5);
  });
});

describe('isSaturated', () => {
  it('needs the size, the desired-replicas annotation and every replica available', () => {
    const dep = deployment('web', { replicas: 3 });
    expect(isSaturated(dep, rsFor(dep, { replicas: 3, desired: 3 }))).toBe(true);
    expect(isSaturated(dep, rsFor(dep, { replicas: 3 }))).toBe(false);
    expect(isSaturated(dep, rsFor(dep, { replicas: 3, desired: 2 }))).toBe(false);
    expect(isSaturated(dep, rsFor(dep, { replicas: 3, desired: 3, available: 2 }))).toBe(false);
    expect(isSaturated(dep, undefined)).toBe(false);
  });
});

describe('replicaSetFraction / replicaSetProportion', () => {
  it('scales by the ratio of the new to the annotated maximum size, rounding half away from zero', () => {
    const dep = deployment('web', { replicas: 20, maxSurge: 2, maxUnavailable: 0 });
    const rs = rsFor(dep, { replicas: 6, max: 12 });
    expect(replicaSetFraction(rs, dep)).toBe(5); // 6 * 22 / 12 = 11
    expect(replicaSetProportion(rs, dep, 10, 0)).toBe(5);
    expect(replicaSetProportion(rs, dep, 10, 7)).toBe(3); // only 3 left to give
  });

  it('takes everything when scaling to zero, and nothing from an empty ReplicaSet', () => {
    const dep = deployment('web', { replicas: 0, maxSurge: 0, maxUnavailable: 1 });
    expect(replicaSetFraction(rsFor(dep, { replicas: 4, max: 4 }), dep)).toBe(-4);
    expect(replicaSetProportion(rsFor(dep, { replicas: 0, max: 4 }), dep, -4, 0)).toBe(0);
  });

  it('falls back to status.replicas without the annotation', () => {
    const dep = deployment('web', { replicas: 10, maxSurge: 0, maxUnavailable: 1 });
    dep.status = { replicas: 5 };
    expect(replicaSetFraction(rsFor(dep, { replicas: 5 }), dep)).toBe(5);
    dep.status = {};
    expect(replicaSetFraction(rsFor(dep, { replicas: 5 }), dep)).toBe(0);
  });
});
