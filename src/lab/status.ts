// What `lab status` and the end of `lab up` print: the lab's master and one row per node, from the state file, what
// the host shows (observe.ts) and what the master says (Ready, pod CIDR). Rendering is pure.
import type { Node } from '../api/types.js';
import { formatLines } from '../cli/print-table.js';
import type { LabLayout } from './layout.js';
import { nodeLayout } from './layout.js';
import type { LabObservation } from './observe.js';
import type { LabState } from './state.js';

export interface NodeStatus {
  name: string;
  index: number;
  ip: string;
  netns: string;
  dockerHost: string;
  /** The node's LAN cable: `up`, `down` (partition or power cut), or `missing`. */
  link: 'up' | 'down' | 'missing';
  dockerd: 'running' | 'stopped';
  agent: 'running' | 'stopped';
  /** The node's Ready condition as the master reports it (`-` when the master does not know the node). */
  ready: string;
  podCIDR?: string;
  /** kill-node / partition in effect. */
  condition?: 'powered off' | 'partitioned';
}

export interface LabStatus {
  name: string;
  subnet: string;
  masterUrl: string;
  kubeconfig: string;
  master: 'running' | 'stopped';
  /** Set when the master did not answer. */
  apiError?: string;
  nodes: NodeStatus[];
}

function readyOf(node: Node | undefined): string {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '-';
}

export function labStatus(
  lab: LabLayout,
  state: LabState,
  obs: LabObservation,
  apiNodes: Node[] | undefined,
  apiError?: string,
): LabStatus {
  const nodes = state.nodes.map((rec): NodeStatus => {
    const layout = nodeLayout(lab, rec.index);
    const o = obs.nodes.get(rec.index);
    const api = apiNodes?.find((n) => n.metadata.name === rec.name);
    const status: NodeStatus = {
      name: rec.name,
      index: rec.index,
      ip: rec.ip,
      netns: rec.netns,
      dockerHost: layout.dockerHost,
      link: !o?.lanPort ? 'missing' : o.lanPort.up ? 'up' : 'down',
      dockerd: o?.dockerd && o.engineAnswers ? 'running' : 'stopped',
      agent: o?.agent ? 'running' : 'stopped',
      ready: readyOf(api),
    };
    const cidr = api?.spec?.podCIDR ?? rec.podCIDR;
    if (cidr) status.podCIDR = cidr;
    if (rec.down) status.condition = 'powered off';
    else if (rec.partitioned) status.condition = 'partitioned';
    return status;
  });
  const out: LabStatus = {
    name: lab.name,
    subnet: lab.subnet,
    masterUrl: lab.masterUrl,
    kubeconfig: lab.kubeconfig,
    master: obs.master ? 'running' : 'stopped',
    nodes,
  };
  if (apiError) out.apiError = apiError;
  return out;
}

export function renderStatus(s: LabStatus): string {
  const head = [
    `lab ${s.name}: LAN ${s.subnet}, master ${s.masterUrl} (${s.master})`,
    `kubeconfig: ${s.kubeconfig}`,
    ...(s.apiError ? [`the master did not answer: ${s.apiError}`] : []),
  ];
  const rows = [
    ['NODE', 'READY', 'INTERNAL-IP', 'POD-CIDR', 'LINK', 'DOCKERD', 'AGENT', 'NETNS', 'CONDITION'],
    ...s.nodes.map((n) => [
      n.name,
      n.ready,
      n.ip,
      n.podCIDR ?? '<none>',
      n.link,
      n.dockerd,
      n.agent,
      n.netns,
      n.condition ?? '-',
    ]),
  ];
  return head.join('\n') + '\n' + (s.nodes.length ? formatLines(rows) : 'no nodes\n');
}

/** The node table `lab up` ends with: what `kubectl get nodes -o wide` would show, plus where each node lives. */
export function renderNodeTable(state: LabState, lab: LabLayout, apiNodes: Node[]): string {
  const rows = [['NAME', 'STATUS', 'INTERNAL-IP', 'POD-CIDR', 'NETNS', 'DOCKER_HOST']];
  for (const rec of state.nodes) {
    const api = apiNodes.find((n) => n.metadata.name === rec.name);
    const ready = readyOf(api);
    const status = ready === 'True' ? 'Ready' : ready === '-' ? 'Unknown' : 'NotReady';
    rows.push([
      rec.name,
      status,
      rec.ip,
      api?.spec?.podCIDR ?? rec.podCIDR ?? '<none>',
      rec.netns,
      nodeLayout(lab, rec.index).dockerHost,
    ]);
  }
  return formatLines(rows);
}
