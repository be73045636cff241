import { describe, expect, it } from 'vitest';
import type { KubeObject, Pod } from '../../api/types.js';
import { testRegistry } from '../garbagecollector/test-fixtures.js';
import {
  contentTotals,
  deletableNamespacedResources,
  FINALIZER_ESTIMATE_SECONDS,
  finalizedSpecFinalizers,
  gvrString,
  overallEstimate,
  podsGraceEstimate,
  requeueDelayMs,
  resourceLabel,
  resourceOutcome,
} from './reconcile.js';

const PODS = { group: '', version: 'v1', resource: 'pods' };
const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' };
const T0 = Date.parse('2026-01-01T00:00:00Z');

function pod(grace?: number, phase?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [], ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}) },
    ...(phase ? { status: { phase } } : {}),
  } as Pod;
}

function item(finalizers?: string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', ...(finalizers ? { finalizers } : {}) },
  };
}

describe('deletableNamespacedResources', () => {
  it('is every namespaced kind that can be listed and deleted, from the registry', () => {
    const names = deletableNamespacedResources(testRegistry()).map((d) => d.resource);
    expect(names).toEqual(
      expect.arrayContaining(['pods', 'services', 'configmaps', 'events', 'leases', 'widgets']),
    );
    expect(names).not.toContain('namespaces');
    expect(names).not.toContain('nodes');
  });
});

describe('podsGraceEstimate', () => {
  it.each([
    ['no pods', [], 0, 0],
    ['the longest grace of running pods', [pod(30), pod(10), pod(60, 'Succeeded')], 0, 30],
    ['terminal pods do not count', [pod(60, 'Failed')], 0, 0],
    ['still within the grace since the namespace was deleted', [pod(30)], 29_000, 30],
    ['once that much time has passed: nothing more to wait for', [pod(30)], 30_000, 0],
  ])('%s', (_name, pods, elapsed, want) => {
    expect(podsGraceEstimate(pods as Pod[], T0, T0 + (elapsed as number))).toBe(want);
  });
});

describe('resourceOutcome', () => {
  it('nothing left: done', () => {
    expect(resourceOutcome(PODS, 'ns', [], 30)).toEqual({
      ref: PODS,
      numRemaining: 0,
      remainingByFinalizer: {},
      estimateSeconds: 0,
    });
  });

  it('left within a grace period: wait that long', () => {
    expect(resourceOutcome(PODS, 'ns', [item(), item()], 30)).toMatchObject({
      numRemaining: 2,
      estimateSeconds: 30,
    });
  });

  it('held by finalizers: count them and wait the finalizer estimate', () => {
    expect(resourceOutcome(DEPLOYMENTS, 'ns', [item(['a', 'b']), item(['a'])], 0)).toEqual({
      ref: DEPLOYMENTS,
      numRemaining: 2,
      remainingByFinalizer: { a: 2, b: 1 },
      estimateSeconds: FINALIZER_ESTIMATE_SECONDS,
    });
  });

  it('left with nothing to explain it: an error, in Kubernetes words', () => {
    expect(resourceOutcome(PODS, 'team', [item()], 0)).toMatchObject({
      numRemaining: 1,
      estimateSeconds: 0,
      error: 'unexpected items still remain in namespace: team for gvr: /v1, Resource=pods',
    });
  });
});

describe('totals and timing', () => {
  it('adds up outcomes into condition totals and the longest estimate', () => {
    const outcomes = [
      resourceOutcome(PODS, 'ns', [item(), item(['f'])], 30),
      resourceOutcome(DEPLOYMENTS, 'ns', [item(['f'])], 0),
      resourceOutcome({ group: '', version: 'v1', resource: 'configmaps' }, 'ns', [], 0),
    ];
    expect(contentTotals(outcomes)).toEqual({
      remainingByResource: { 'pods.': 2, 'deployments.apps': 1 },
      remainingByFinalizer: { f: 2 },
    });
    expect(overallEstimate(outcomes)).toBe(30);
    expect(overallEstimate([])).toBe(0);
  });

  it('looks again after half the estimate plus a second', () => {
    expect(requeueDelayMs(30)).toBe(16_000);
    expect(requeueDelayMs(15)).toBe(8_000);
    expect(requeueDelayMs(0)).toBe(1_000);
  });

  it('names kinds as Kubernetes prints them', () => {
    expect(resourceLabel(PODS)).toBe('pods.');
    expect(resourceLabel(DEPLOYMENTS)).toBe('deployments.apps');
    expect(gvrString(DEPLOYMENTS)).toBe('apps/v1, Resource=deployments');
  });

  it('finalizing drops only `kubernetes`, leaving a sorted set', () => {
    expect(finalizedSpecFinalizers(['kubernetes'])).toEqual([]);
    expect(finalizedSpecFinalizers(['z.io/b', 'kubernetes', 'a.io/a', 'a.io/a'])).toEqual([
      'a.io/a',
      'z.io/b',
    ]);
    expect(finalizedSpecFinalizers(undefined)).toEqual([]);
  });
});
