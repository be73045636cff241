import { describe, expect, it } from 'vitest';
import { computeQosClass } from './pod-qos.js';
import type { Container, PodSpec } from './types.js';

const c = (resources?: Container['resources']): Container => ({ name: 'c', image: 'i', resources });
const spec = (...containers: Container[]): PodSpec => ({ containers });

describe('computeQosClass', () => {
  it.each([
    ['no resources', spec(c()), 'BestEffort'],
    ['empty resources', spec(c({})), 'BestEffort'],
    ['only non-QoS resources', spec(c({ requests: { 'ephemeral-storage': '1Gi' } })), 'BestEffort'],
    ['requests only', spec(c({ requests: { cpu: '100m' } })), 'Burstable'],
    [
      'requests equal limits for cpu and memory',
      spec(c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } })),
      'Guaranteed',
    ],
    ['limits without memory', spec(c({ requests: { cpu: '1' }, limits: { cpu: '1' } })), 'Burstable'],
    [
      'requests below limits',
      spec(c({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })),
      'Burstable',
    ],
    [
      'one container without limits',
      spec(c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), c()),
      'Burstable',
    ],
    ['zero quantities count as unset', spec(c({ requests: { cpu: '0' } })), 'BestEffort'],
  ])('%s → %s', (_name, s, want) => {
    expect(computeQosClass(s)).toBe(want);
  });

  it('counts init containers', () => {
    expect(
      computeQosClass({ containers: [c()], initContainers: [c({ requests: { memory: '10Mi' } })] }),
    ).toBe('Burstable');
  });
});
