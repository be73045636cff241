import { describe, expect, it } from 'vitest';
import {
  addPod,
  newNodeInfo,
  nodeAllocatable,
  podHostPorts,
  podResources,
  removePod,
  setNode,
  shareMemos,
} from './node-info.js';
import { makeNode, makePod } from '../../test/fakes/scheduler-fixtures.js';

describe('NodeInfo bookkeeping', () => {
  it('adds and removes pods incrementally (requests, ports)', () => {
    const ni = newNodeInfo(makeNode('n', { cpu: '2', memory: '4Gi', pods: '10' }));
    expect(ni.allocatable).toEqual({ cpuMillis: 2000, memoryBytes: 4 * 2 ** 30, pods: 10 });
    const a = makePod('a', { cpu: '250m', memory: '64Mi', hostPorts: [8080], owner: 'rs1' });
    const b = makePod('b', { owner: 'rs1' });
    addPod(ni, a);
    addPod(ni, b);
    expect(ni.requested).toEqual({ cpuMillis: 250, memoryBytes: 64 * 2 ** 20, pods: 2 });
    expect(ni.nonZeroRequested).toEqual({ cpuMillis: 350, memoryBytes: 264 * 2 ** 20, pods: 2 });
    expect(ni.usedPorts.get('TCP/8080')).toEqual(new Map([['0.0.0.0', 1]]));
    // Replacing a pod (same key) swaps its contribution.
    addPod(ni, makePod('a', { cpu: '1', owner: 'rs2' }));
    expect(ni.requested.cpuMillis).toBe(1000);
    expect(ni.requested.pods).toBe(2);
    expect(ni.usedPorts.size).toBe(0);
    expect(removePod(ni, 'default/a')).toBe(true);
    expect(removePod(ni, 'default/a')).toBe(false);
    removePod(ni, 'default/b');
    expect(ni.requested).toEqual({ cpuMillis: 0, memoryBytes: 0, pods: 0 });
    expect(ni.nonZeroRequested).toEqual({ cpuMillis: 0, memoryBytes: 0, pods: 0 });
  });

  it('setNode refreshes allocatable', () => {
    const ni = newNodeInfo(makeNode('n', { cpu: '1' }));
    setNode(ni, makeNode('n', { cpu: '3' }));
    expect(ni.allocatable.cpuMillis).toBe(3000);
  });

  it.each([
    [
      { cpu: '1500m', memory: '1Gi', pods: '20' },
      { cpuMillis: 1500, memoryBytes: 2 ** 30, pods: 20 },
    ],
    [{ cpu: '0.5' }, { cpuMillis: 500, memoryBytes: 0, pods: 110 }],
    [
      { cpu: 'garbage', memory: '1e9' },
      { cpuMillis: 0, memoryBytes: 1e9, pods: 110 },
    ],
  ])('nodeAllocatable(%j)', (allocatable, expected) => {
    const node = makeNode('n');
    node.status!.allocatable = allocatable as Record<string, string>;
    expect(nodeAllocatable(node)).toEqual(expected);
  });

  it('podResources sums containers, takes the max with init containers, and memoizes', () => {
    const pod = makePod('p', {
      containers: [
        { name: 'a', resources: { requests: { cpu: '100m', memory: '10Mi' } } },
        { name: 'b', resources: { limits: { cpu: '200m' } } },
      ],
      initContainers: [{ name: 'i', resources: { requests: { memory: '1Gi' } } }],
    });
    const r = podResources(pod);
    expect(r.requests).toEqual({ cpuMillis: 300, memoryBytes: 2 ** 30, pods: 1 });
    expect(r.nonZero).toEqual({ cpuMillis: 300, memoryBytes: 2 ** 30, pods: 1 });
    expect(podResources(pod)).toBe(r);
  });
});

describe('shareMemos', () => {
  it("gives an assumed copy the original's requests and host ports without recomputing them", () => {
    const pod = makePod('p', { cpu: '250m', memory: '64Mi' });
    pod.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }];
    const r = podResources(pod);
    const hp = podHostPorts(pod);
    const copy = { ...pod, spec: { ...pod.spec, nodeName: 'n1' } };
    shareMemos(pod, copy);
    expect(podResources(copy)).toBe(r);
    expect(podHostPorts(copy)).toBe(hp);
    expect(r.requests.cpuMillis).toBe(250);
  });
});
