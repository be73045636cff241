import { describe, expect, it } from 'vitest';
import type { Event, Namespace, Node, Pod, Service } from '../../api/types.js';
import { rfc1123z } from './format.js';
import { describeGeneric } from './generic.js';
import { describeNamespace } from './namespace.js';
import { describeNode } from './node.js';
import { describePod, describeProbe } from './pod.js';
import { describeService, formatEndpoints } from './service.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-5d7b8c9f6d-abcde',
    namespace: 'default',
    uid: 'u1',
    creationTimestamp: '2026-11-30T04:45:59Z',
    labels: { app: 'web', 'pod-template-hash': '5d7b8c9f6d' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d7b8c9f6d', uid: 'rs', controller: true },
    ],
  },
  spec: {
    nodeName: 'node-1',
    priority: 0,
    serviceAccountName: 'default',
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'MODE', value: 'prod' },
          { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
        ],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
        readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
    tolerations: [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ],
  },
  status: {
    phase: 'Running',
    hostIP: '10.0.0.5',
    podIP: '10.244.0.107',
    podIPs: [{ ip: '10.244.0.107' }],
    startTime: '2026-11-30T04:45:59Z',
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
    containerStatuses: [
      {
        name: 'nginx',
        image: 'nginx:1.27',
        imageID: 'docker-pullable://nginx@sha256:abc',
        containerID: 'docker://0123abcd',
        ready: true,
        restartCount: 1,
        state: { running: { startedAt: '2026-11-30T04:46:01Z' } },
        lastState: {
          terminated: {
            exitCode: 137,
            reason: 'Error',
            startedAt: '2026-11-30T04:46:00Z',
            finishedAt: '2026-11-30T04:46:00Z',
          },
        },
      },
    ],
  },
};

const events: Event[] = [
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e2' },
    involvedObject: { kind: 'Pod', name: 'web-5d7b8c9f6d-abcde' },
    type: 'Warning',
    reason: 'Unhealthy',
    message: 'Readiness probe failed: connection refused\n',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-11-30T04:55:00Z',
    lastTimestamp: '2026-11-30T04:58:00Z',
    count: 3,
  },
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1' },
    involvedObject: { kind: 'Pod', name: 'web-5d7b8c9f6d-abcde' },
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned default/web-5d7b8c9f6d-abcde to node-1',
    source: { component: 'default-scheduler' },
    firstTimestamp: '2026-11-30T04:45:59Z',
    lastTimestamp: '2026-11-30T04:45:59Z',
    count: 1,
  },
];

describe('describePod', () => {
  it('prints what kubectl describe pod prints, aligned the same way, events oldest first', () => {
    expect(describePod(pod, events, NOW)).toBe(
      `Name:             web-5d7b8c9f6d-abcde
Namespace:        default
Priority:         0
Service Account:  default
Node:             node-1/10.0.0.5
Start Time:       Mon, 30 Nov 2026 04:45:59 +0000
Labels:           app=web
                  pod-template-hash=5d7b8c9f6d
Annotations:      <none>
Status:           Running
IP:               10.244.0.107
IPs:
  IP:           10.244.0.107
Controlled By:  ReplicaSet/web-5d7b8c9f6d
Containers:
  nginx:
    Container ID:   docker://0123abcd
    Image:          nginx:1.27
    Image ID:       docker-pullable://nginx@sha256:abc
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Mon, 30 Nov 2026 04:46:01 +0000
    Last State:     Terminated
      Reason:       Error
      Exit Code:    137
      Started:      Mon, 30 Nov 2026 04:46:00 +0000
      Finished:     Mon, 30 Nov 2026 04:46:00 +0000
    Ready:          True
    Restart Count:  1
    Readiness:      http-get http://:80/healthz delay=0s timeout=1s period=5s #success=1 #failure=3
    Environment:
      MODE:    prod
      POD_IP:  10.244.0.107 (v1:status.podIP)
    Mounts:
      /data from data (rw)
Conditions:
  Type              Status
  Initialized       True 
  Ready             True 
  ContainersReady   True 
  PodScheduled      True 
Volumes:
  data:
    Type:        EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:      
    SizeLimit:   <unset>
QoS Class:       BestEffort
Node-Selectors:  <none>
Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
Events:
  Type     Reason     Age              From               Message
  ----     ------     ----             ----               -------
  Normal   Scheduled  14m              default-scheduler  Successfully assigned default/web-5d7b8c9f6d-abcde to node-1
  Warning  Unhealthy  2m (x3 over 5m)  kubelet            Readiness probe failed: connection refused
`,
    );
  });

  it('shows a pending, terminating pod without node, IPs or events', () => {
    const p: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'default',
        deletionTimestamp: '2026-11-30T04:59:30Z',
        deletionGracePeriodSeconds: 30,
      },
      spec: {
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c'], args: ['sleep 1\necho done'] }],
      },
      status: { phase: 'Pending' },
    };
    const text = describePod(p, [], NOW);
    expect(text).toContain('Node:                      <none>\n');
    expect(text).toContain(
      'Status:                    Terminating (lasts 30s)\nTermination Grace Period:  30s\n',
    );
    expect(text).toContain('IPs:                       <none>\n');
    expect(text).toContain('    Command:\n      sh\n      -c\n    Args:\n      sleep 1\n      echo done\n');
    expect(text).toContain('Volumes:          <none>\nQoS Class:        BestEffort\n');
    expect(text.endsWith('Events:           <none>\n')).toBe(true);
  });

  it('describes probes as kubectl does', () => {
    expect(describeProbe({ exec: { command: ['cat', '/tmp/ok'] }, failureThreshold: 1 })).toBe(
      'exec [cat /tmp/ok] delay=0s timeout=1s period=10s #success=1 #failure=1',
    );
    expect(describeProbe({ tcpSocket: { port: 5432 }, initialDelaySeconds: 3 })).toBe(
      'tcp-socket :5432 delay=3s timeout=1s period=10s #success=1 #failure=3',
    );
  });
});

describe('describeNode', () => {
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'node-1',
      creationTimestamp: '2026-11-20T05:00:00Z',
      labels: { 'kubernetes.io/hostname': 'node-1', 'node-role.kubernetes.io/worker': '' },
    },
    spec: {
      podCIDR: '10.244.1.0/24',
      podCIDRs: ['10.244.1.0/24'],
      taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
    },
    status: {
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: '2026-11-30T04:59:50Z',
          lastTransitionTime: '2026-11-20T05:00:10Z',
        },
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.5' },
        { type: 'Hostname', address: 'node-1' },
      ],
      nodeInfo: {
        machineID: 'm',
        systemUUID: 's',
        bootID: 'b',
        kernelVersion: '6.1.0',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'docker://20.10.24',
        kubeletVersion: 'v1.32.0-skiff',
        kubeProxyVersion: 'v1.32.0-skiff',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
  const running: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-11-30T04:00:00Z' },
    spec: {
      containers: [
        { name: 'a', resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1Gi' } } },
        { name: 'b', resources: { requests: { cpu: '250m' } } },
      ],
    },
  };

  it('prints labels, taints, conditions, resources, system info, pods with their share, and events', () => {
    expect(describeNode({ node, pods: [running], events: [] }, NOW)).toBe(
      `Name:               node-1
Roles:              worker
Labels:             kubernetes.io/hostname=node-1
                    node-role.kubernetes.io/worker=
Annotations:        <none>
CreationTimestamp:  Fri, 20 Nov 2026 05:00:00 +0000
Taints:             dedicated=db:NoSchedule
Unschedulable:      false
Lease:
  HolderIdentity:  <unset>
  AcquireTime:     <unset>
  RenewTime:       <unset>
Conditions:
  Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason         Message
  ----    ------  -----------------                 ------------------                ------         -------
  Ready   True    Mon, 30 Nov 2026 04:59:50 +0000   Fri, 20 Nov 2026 05:00:10 +0000   KubeletReady   kubelet is posting ready status
Addresses:
  InternalIP:  10.0.0.5
  Hostname:    node-1
Capacity:
  cpu:     2
  memory:  4Gi
  pods:    110
Allocatable:
  cpu:     2
  memory:  4Gi
  pods:    110
System Info:
  Machine ID:                 m
  System UUID:                s
  Boot ID:                    b
  Kernel Version:             6.1.0
  OS Image:                   Debian GNU/Linux 12 (bookworm)
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  docker://20.10.24
  Kubelet Version:            v1.32.0-skiff
  Kube-Proxy Version:         v1.32.0-skiff
PodCIDR:                      10.244.1.0/24
PodCIDRs:                     10.244.1.0/24
Non-terminated Pods:          (1 in total)
  Namespace                   Name    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----    ------------  ----------  ---------------  -------------  ---
  default                     web     750m (37%)    0 (0%)      256Mi (6%)       1Gi (25%)      60m
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests    Limits
  --------           --------    ------
  cpu                750m (37%)  0 (0%)
  memory             256Mi (6%)  1Gi (25%)
  ephemeral-storage  0 (0%)      0 (0%)
Events:              <none>
`,
    );
  });

  it('shows the lease holder and says when pods could not be listed', () => {
    const text = describeNode(
      {
        node,
        lease: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'node-1' },
          spec: { holderIdentity: 'node-1', renewTime: '2026-11-30T04:59:58.123456Z' },
        },
      },
      NOW,
    );
    expect(text).toContain('  HolderIdentity:  node-1\n');
    expect(text).toContain('  RenewTime:       Mon, 30 Nov 2026 04:59:58 +0000\n');
    expect(text).toContain('Pods:                         not authorized\n');
    expect(text).not.toContain('Events');
  });
});

describe('describeService / describeNamespace / describeGeneric', () => {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      type: 'NodePort',
      selector: { app: 'web' },
      clusterIP: '10.96.0.20',
      clusterIPs: ['10.96.0.20'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }],
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
    },
  };

  it('prints a service with its endpoints', () => {
    const endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web' },
      subsets: [
        { addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }], ports: [{ name: 'http', port: 8080 }] },
      ],
    };
    expect(describeService(svc, endpoints, [], NOW)).toBe(
      `Name:                     web
Namespace:                default
Labels:                   app=web
Annotations:              <none>
Selector:                 app=web
Type:                     NodePort
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.0.20
IPs:                      10.96.0.20
Port:                     http  80/TCP
TargetPort:               8080/TCP
NodePort:                 http  30080/TCP
Endpoints:                10.244.1.5:8080,10.244.2.7:8080
Session Affinity:         None
External Traffic Policy:  Cluster
Events:                   <none>
`,
    );
  });

  it('abbreviates long endpoint lists and shows <none> without endpoints', () => {
    const many = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'x' },
      subsets: [
        { addresses: ['1', '2', '3', '4', '5'].map((n) => ({ ip: `10.0.0.${n}` })), ports: [{ port: 80 }] },
      ],
    };
    expect(formatEndpoints(many, { port: 80 })).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...');
    expect(formatEndpoints(undefined, { port: 80 })).toBe('<none>');
  });

  it('prints a namespace like kubectl', () => {
    const ns: Namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
      status: { phase: 'Active' },
    };
    expect(describeNamespace(ns)).toBe(
      'Name:         default\nLabels:       kubernetes.io/metadata.name=default\nAnnotations:  <none>\nStatus:       Active\n',
    );
  });

  it('prints any other kind as metadata, its fields as YAML, and events', () => {
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cfg',
        namespace: 'default',
        creationTimestamp: '2026-11-30T04:00:00Z',
        annotations: { note: 'multi\nline' },
      },
      data: { 'app.conf': 'port=80' },
      immutable: false,
    };
    expect(describeGeneric(cm, [], NOW)).toBe(
      `Name:               cfg
Namespace:          default
Labels:             <none>
Annotations:        note:
                      multi
                      line
API Version:        v1
Kind:               ConfigMap
CreationTimestamp:  Mon, 30 Nov 2026 04:00:00 +0000
Data:
  app.conf: port=80
Immutable:  false
Events:     <none>
`,
    );
  });
});

describe('rfc1123z', () => {
  it('formats like Go time.RFC1123Z in UTC, zero time when absent', () => {
    expect(rfc1123z('2026-01-05T07:08:09Z')).toBe('Mon, 05 Jan 2026 07:08:09 +0000');
    expect(rfc1123z(undefined)).toBe('Mon, 01 Jan 0001 00:00:00 +0000');
  });
});
