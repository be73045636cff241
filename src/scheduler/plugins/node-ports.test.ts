import { describe, expect, it } from 'vitest';
import { nodePorts, NODE_PORTS_REASON } from './node-ports.js';
import { newNodeInfo } from '../node-info.js';
import { makeNode, makePod } from '../../../test/fakes/scheduler-fixtures.js';
import type { ContainerPort, Pod } from '../../api/types.js';
import { newCycle } from '../framework.js';

const withPorts = (name: string, ports: ContainerPort[], hostNetwork = false): Pod => {
  const p = makePod(name);
  p.spec.containers[0].ports = ports;
  if (hostNetwork) p.spec.hostNetwork = true;
  return p;
};

describe('NodePorts filter', () => {
  it.each<[string, ContainerPort[], ContainerPort[], boolean]>([
    ['no host ports', [{ containerPort: 80 }], [{ containerPort: 80 }], true],
    [
      'different host ports',
      [{ containerPort: 80, hostPort: 8080 }],
      [{ containerPort: 80, hostPort: 8081 }],
      true,
    ],
    [
      'same host port',
      [{ containerPort: 80, hostPort: 8080 }],
      [{ containerPort: 81, hostPort: 8080 }],
      false,
    ],
    [
      'same port, other protocol',
      [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }],
      [{ containerPort: 53, hostPort: 53 }],
      true,
    ],
    [
      'same port, different specific IPs',
      [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }],
      [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' }],
      true,
    ],
    [
      '0.0.0.0 clashes with a specific IP',
      [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }],
      [{ containerPort: 80, hostPort: 80 }],
      false,
    ],
    [
      'specific IP clashes with 0.0.0.0',
      [{ containerPort: 80, hostPort: 80 }],
      [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }],
      false,
    ],
  ])('%s', (_name, existing, wanted, fits) => {
    const ni = newNodeInfo(makeNode('n'), [withPorts('old', existing)]);
    const s = nodePorts.filter(withPorts('new', wanted), ni, newCycle([ni]));
    expect(s).toEqual(
      fits ? { code: 'Success', reasons: [] } : { code: 'Unschedulable', reasons: [NODE_PORTS_REASON] },
    );
  });

  it('hostNetwork pods use their container ports on the host', () => {
    const ni = newNodeInfo(makeNode('n'), [withPorts('old', [{ containerPort: 9100 }], true)]);
    expect(
      nodePorts.filter(withPorts('new', [{ containerPort: 9100, hostPort: 9100 }]), ni, newCycle([ni])).code,
    ).toBe('Unschedulable');
  });
});

describe('NodePorts preFilter', () => {
  it('skips the per-node filter for a pod without host ports, as kube-scheduler does', () => {
    expect(nodePorts.preFilter!(withPorts('p', [{ containerPort: 80 }]), newCycle([])).code).toBe('Skip');
    expect(
      nodePorts.preFilter!(withPorts('p', [{ containerPort: 80, hostPort: 8080 }]), newCycle([])).code,
    ).toBe('Success');
    expect(nodePorts.preFilter!(withPorts('p', [{ containerPort: 80 }], true), newCycle([])).code).toBe(
      'Success',
    );
  });
});
