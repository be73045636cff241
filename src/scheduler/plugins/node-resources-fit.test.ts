import { describe, expect, it } from 'vitest';
import { nodeResourcesFit } from './node-resources-fit.js';
import { newNodeInfo } from '../node-info.js';
import { newCycle } from '../framework.js';
import {
  makeNode,
  makePod,
  type NodeOptions,
  type PodOptions,
} from '../../../test/fakes/scheduler-fixtures.js';

describe('NodeResourcesFit filter', () => {
  it.each<[string, NodeOptions, PodOptions[], PodOptions, string[]]>([
    ['fits an empty node', { cpu: '2', memory: '4Gi' }, [], { cpu: '1', memory: '1Gi' }, []],
    [
      'exactly fills the node',
      { cpu: '2', memory: '4Gi' },
      [{ cpu: '1', memory: '3Gi' }],
      { cpu: '1', memory: '1Gi' },
      [],
    ],
    ['too much cpu', { cpu: '2', memory: '4Gi' }, [{ cpu: '1500m' }], { cpu: '600m' }, ['Insufficient cpu']],
    [
      'too much memory',
      { cpu: '2', memory: '4Gi' },
      [{ memory: '3Gi' }],
      { memory: '1025Mi' },
      ['Insufficient memory'],
    ],
    [
      'both short',
      { cpu: '1', memory: '1Gi' },
      [],
      { cpu: '2', memory: '2Gi' },
      ['Insufficient cpu', 'Insufficient memory'],
    ],
    ['pod count limit', { pods: '2' }, [{}, {}], {}, ['Too many pods']],
    ['no requests fit even a full node', { cpu: '1', memory: '1Gi' }, [{ cpu: '1', memory: '1Gi' }], {}, []],
    [
      'all three',
      { cpu: '1', memory: '1Gi', pods: '1' },
      [{ cpu: '1', memory: '1Gi' }],
      { cpu: '1m', memory: '1' },
      ['Too many pods', 'Insufficient cpu', 'Insufficient memory'],
    ],
  ])('%s', (_name, node, existing, wanted, reasons) => {
    const ni = newNodeInfo(
      makeNode('n', node),
      existing.map((o, i) => makePod(`old-${i}`, o)),
    );
    const s = nodeResourcesFit.filter(makePod('new', wanted), ni, newCycle([ni]));
    expect(s).toEqual({ code: reasons.length ? 'Unschedulable' : 'Success', reasons });
  });

  it('counts init containers as the max with the app containers', () => {
    const ni = newNodeInfo(makeNode('n', { cpu: '1' }));
    const pod = makePod('p', {
      containers: [
        { name: 'a', resources: { requests: { cpu: '300m' } } },
        { name: 'b', resources: { requests: { cpu: '300m' } } },
      ],
      initContainers: [{ name: 'init', resources: { requests: { cpu: '1500m' } } }],
    });
    expect(nodeResourcesFit.filter(pod, ni, newCycle([ni])).reasons).toEqual(['Insufficient cpu']);
  });

  it('uses limits when requests are not set', () => {
    const ni = newNodeInfo(makeNode('n', { memory: '1Gi' }));
    const pod = makePod('p', { containers: [{ name: 'a', resources: { limits: { memory: '2Gi' } } }] });
    expect(nodeResourcesFit.filter(pod, ni, newCycle([ni])).reasons).toEqual(['Insufficient memory']);
  });
});
