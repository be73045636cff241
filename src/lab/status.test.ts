import { describe, expect, it } from 'vitest';
import type { Node } from '../api/types.js';
import { labLayout } from './layout.js';
import type { LabObservation } from './observe.js';
import type { LabState } from './state.js';
import { labStatus, renderNodeTable, renderStatus } from './status.js';

const lab = labLayout({ name: 'skiff', subnet: '10.200.0.0/24', port: 6443 });
const state: LabState = {
  version: 1,
  name: 'skiff',
  subnet: '10.200.0.0/24',
  port: 6443,
  cli: 'main.js',
  node: 'node',
  masterArgs: [],
  agentArgs: [],
  nodes: [
    { index: 1, name: 'node1', ip: '10.200.0.11', netns: 'skiff-n1', podCIDR: '10.244.0.0/24' },
    { index: 2, name: 'node2', ip: '10.200.0.12', netns: 'skiff-n2', down: true },
  ],
  routes: [],
  images: [],
};
const obs: LabObservation = {
  lan: { netns: true },
  nodes: new Map([
    [
      1,
      {
        index: 1,
        netns: true,
        lanPort: { name: 'skiff-v1', up: true, addresses: [] },
        uts: true,
        dockerd: { pid: 5, state: 'S', argv: [] },
        engineAnswers: true,
        agent: { pid: 6, state: 'S', argv: [] },
      },
    ],
    [
      2,
      {
        index: 2,
        netns: true,
        lanPort: { name: 'skiff-v2', up: false, addresses: [] },
        uts: true,
        engineAnswers: false,
      },
    ],
  ]),
  master: { pid: 4, state: 'S', argv: [] },
  routes: [],
  nodeNetns: [1, 2],
};
const api: Node[] = [
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node1' },
    spec: { podCIDR: '10.244.0.0/24' },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node2' },
    spec: { podCIDR: '10.244.1.0/24' },
    status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
  },
];

describe('lab status', () => {
  it('joins the state, what the host shows and what the master says, one row per node', () => {
    expect(renderStatus(labStatus(lab, state, obs, api))).toBe(
      [
        'lab skiff: LAN 10.200.0.0/24, master https://10.200.0.1:6443 (running)',
        'kubeconfig: /var/lib/skiff-lab/skiff/kubeconfig',
        'NODE    READY     INTERNAL-IP   POD-CIDR        LINK   DOCKERD   AGENT     NETNS      CONDITION',
        'node1   True      10.200.0.11   10.244.0.0/24   up     running   running   skiff-n1   -',
        'node2   Unknown   10.200.0.12   10.244.1.0/24   down   stopped   stopped   skiff-n2   powered off',
        '',
      ].join('\n'),
    );
  });

  it('says when the master does not answer', () => {
    const s = labStatus(lab, state, { ...obs, master: undefined }, undefined, 'connect ECONNREFUSED');
    expect(s.master).toBe('stopped');
    expect(renderStatus(s)).toContain('the master did not answer: connect ECONNREFUSED');
    expect(s.nodes[0].ready).toBe('-');
  });

  it('ends `up` with a kubectl-like node table', () => {
    expect(renderNodeTable(state, lab, api)).toBe(
      [
        'NAME    STATUS     INTERNAL-IP   POD-CIDR        NETNS      DOCKER_HOST',
        'node1   Ready      10.200.0.11   10.244.0.0/24   skiff-n1   unix:///run/skiff-lab/skiff/n1/docker.sock',
        'node2   NotReady   10.200.0.12   10.244.1.0/24   skiff-n2   unix:///run/skiff-lab/skiff/n2/docker.sock',
        '',
      ].join('\n'),
    );
  });
});
