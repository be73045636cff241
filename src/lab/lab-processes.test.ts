import { describe, expect, it } from 'vitest';
import { agentArgv, dockerdArgv, masterArgv } from './commands.js';
import type { ProcessInfo } from './host.js';
import { masterProcesses, nodeIndexesWithProcesses, nodeProcesses } from './lab-processes.js';
import { labLayout, nodeLayout } from './layout.js';
import type { LabState } from './state.js';

const lab = labLayout({ name: 'ab', subnet: '10.210.0.0/24', port: 7443 });
const other = labLayout({ name: 'abc', subnet: '10.211.0.0/24', port: 7443 });
const n1 = nodeLayout(lab, 1);
const d = { node: 'node', cli: '/s/main.js', extra: [] };
const proc = (pid: number, argv: string[], state = 'S'): ProcessInfo => ({ pid, state, argv });

const table: ProcessInfo[] = [
  proc(1, ['/sbin/init']),
  proc(10, agentArgv(lab, n1, d)),
  proc(11, dockerdArgv(n1)),
  proc(12, ['containerd', '--config', '/run/skiff-lab/ab/n1/docker/containerd/containerd.toml']),
  proc(13, [
    '/usr/bin/containerd-shim-runc-v2',
    '-namespace',
    'skiff-lab-ab-n1',
    '-id',
    'c1',
    '-address',
    'x',
  ]),
  proc(14, ['httpd', '-f']),
  proc(15, ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'skiff-lab-ab-n1-plugins']),
  proc(20, agentArgv(other, nodeLayout(other, 1), d)),
  proc(21, dockerdArgv(nodeLayout(other, 1))),
  proc(22, ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'skiff-lab-abc-n1']),
  proc(30, masterArgv(lab, d)),
  proc(31, masterArgv(other, d)),
  proc(40, [], 'Z'),
];

describe('which processes are a lab node’s', () => {
  it('finds the agent, dockerd, containerd, shims and container processes of exactly that node', () => {
    expect(nodeProcesses(n1, undefined, table, [14, 999], 1)).toEqual({
      agent: [10],
      dockerd: [11],
      containerd: [12],
      shims: [13],
      containers: [14],
    });
  });

  it('leaves another lab whose name starts the same alone', () => {
    const p = nodeProcesses(n1, undefined, table, [], 1);
    for (const pid of [20, 21, 22]) expect(Object.values(p).flat()).not.toContain(pid);
    expect(masterProcesses(lab, undefined, table)).toEqual([30]);
  });

  it('trusts a recorded PID only while its command line is unchanged and it is not a zombie', () => {
    const state = {
      nodes: [{ index: 1, agent: { pid: 40, argv: agentArgv(lab, n1, d) } }],
    } as unknown as LabState;
    expect(nodeProcesses(n1, state.nodes[0], table, [], 1).agent).toEqual([10]);
    // The PID was reused by an unrelated program: not ours.
    const reused = [...table, proc(50, ['vim'])];
    const rec = {
      index: 1,
      name: 'ab-n1',
      ip: '',
      netns: '',
      agent: { pid: 50, argv: agentArgv(lab, n1, d) },
    };
    expect(nodeProcesses(n1, rec, reused, [], 1).agent).toEqual([10]);
  });

  it('never lists the process running the lab itself', () => {
    expect(nodeProcesses(n1, undefined, table, [14], 14).containers).toEqual([]);
  });

  it('finds nodes with processes from their paths when there is no state file', () => {
    const n3 = nodeLayout(lab, 3);
    expect(nodeIndexesWithProcesses(lab, [...table, proc(60, dockerdArgv(n3))])).toEqual([1, 3]);
  });
});
