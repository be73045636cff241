import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { createNode, EVENTS, NAMESPACES, pod, PODS, runningPod } from '../../apiserver/test-support.js';
import { startTestApiServer, testCli, type TestApiServer } from '../cli-test-support.js';

function event(
  name: string,
  involved: KubeObject,
  reason: string,
  message: string,
  extra: Partial<KubeObject> = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: involved.metadata.namespace ?? 'default' },
    involvedObject: {
      apiVersion: 'v1',
      kind: involved.kind,
      name: involved.metadata.name,
      namespace: involved.metadata.namespace,
      uid: involved.metadata.uid,
    },
    reason,
    message,
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-01-01T00:01:00Z',
    lastTimestamp: '2026-01-01T00:01:00Z',
    count: 1,
    ...extra,
  };
}

describe('skiff describe', () => {
  let api: TestApiServer;
  beforeEach(async () => {
    api = await startTestApiServer();
    await createNode(api.service, 'node-1', '10.0.0.5');
  });
  afterEach(() => api.close());

  it('describes a pod with its own events only', async () => {
    const web = await runningPod(api.service, 'web', 'node-1');
    const other = await api.service.create(PODS, 'default', pod('other'));
    await api.service.create(EVENTS, 'default', event('e1', web, 'Started', 'Started container app'));
    await api.service.create(
      EVENTS,
      'default',
      event('e2', web, 'BackOff', 'Back-off restarting failed container', {
        type: 'Warning',
        firstTimestamp: '2026-01-01T00:02:00Z',
        lastTimestamp: '2026-01-01T00:08:00Z',
        count: 4,
      }),
    );
    await api.service.create(EVENTS, 'default', event('e3', other, 'Scheduled', 'not about web'));
    const res = await testCli({ server: api.url }).run('describe', 'pod', 'web');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Name:\s+web\nNamespace:\s+default\n/);
    expect(res.stdout).toMatch(/\nNode:\s+node-1\/\n/);
    expect(res.stdout).toContain('\nContainers:\n  app:\n');
    expect(res.stdout.slice(res.stdout.indexOf('\nEvents:'))).toBe(
      [
        '',
        'Events:',
        '  Type     Reason   Age              From     Message',
        '  ----     ------   ----             ----     -------',
        '  Normal   Started  9m               kubelet  Started container app',
        '  Warning  BackOff  2m (x4 over 8m)  kubelet  Back-off restarting failed container',
        '',
      ].join('\n'),
    );
    expect(res.stdout).not.toContain('not about web');
  });

  it('describes a node with the pods bound to it', async () => {
    await runningPod(api.service, 'web', 'node-1');
    await api.service.create(PODS, 'default', pod('elsewhere'));
    const res = await testCli({ server: api.url }).run('describe', 'node/node-1');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Name:\s+node-1\nRoles:\s+<none>\n/);
    expect(res.stdout).toContain('\nAddresses:\n  InternalIP:  10.0.0.5\n');
    expect(res.stdout).toMatch(/\nNon-terminated Pods:\s+\(1 in total\)\n/);
    expect(res.stdout).toMatch(/\n {2}default\s+web\s+0 \(0%\)/);
    expect(res.stdout).not.toContain('elsewhere');
  });

  it('describes namespaces and falls back to the generic describer', async () => {
    const cli = testCli({ server: api.url });
    const ns = await cli.run('describe', 'ns', 'default');
    expect(ns.stdout).toMatch(/^Name:\s+default\n[\s\S]*Status:\s+Active\n$/);
    await api.service.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x' },
    });
    const cm = await testCli({
      server: api.url,
      stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {k: v}\n',
    }).run('apply', '-f', '-');
    expect(cm.code).toBe(0);
    const described = await cli.run('describe', 'configmap', 'cfg');
    expect(described.stdout).toMatch(/^Name:\s+cfg\nNamespace:\s+default\n/);
    expect(described.stdout).toContain('\nData\n====\nk:\n----\nv\n');
    expect(described.stdout).toMatch(/\nEvents:\s+<none>\n$/);
  });

  it('describes every object of a type, separated, and fails on a missing name', async () => {
    await api.service.create(PODS, 'default', pod('a'));
    await api.service.create(PODS, 'default', pod('b'));
    const cli = testCli({ server: api.url });
    const all = await cli.run('describe', 'pods');
    expect(all.stdout.match(/^Name:/gm)).toHaveLength(2);
    expect(all.stdout).toContain('\n\n\nName:');
    expect(await cli.run('describe', 'pod', 'zzz')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): pods "zzz" not found\n',
    });
  });
});
