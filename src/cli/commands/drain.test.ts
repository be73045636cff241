// `skiff drain` against the real API server in-process: the refusals kubectl prints, the flags that lift them,
// evictions through pods/eviction, and the wait until the agent (played here by a grace-0 delete) removed the pods.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject, Node, Pod } from '../../api/types.js';
import { DAEMONSETS } from '../../client/api-client.js';
import { createNode, NODES, PODS } from '../../apiserver/test-support.js';
import { eventually, startTestApiServer, testCli, type TestApiServer } from '../cli-test-support.js';
import { aggregate, evictionFor } from './drain.js';

function daemonSet(name: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  };
}

interface PodOpts {
  node?: string;
  owner?: string;
  emptyDir?: boolean;
  grace?: number;
  namespace?: string;
}

describe('skiff drain', () => {
  let api: TestApiServer;

  async function createPod(name: string, o: PodOpts = {}): Promise<Pod> {
    const [kind, ownerName] = (o.owner ?? '').split('/');
    const p: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        ...(o.owner
          ? {
              ownerReferences: [
                { apiVersion: 'apps/v1', kind, name: ownerName, uid: `uid-${ownerName}`, controller: true },
              ],
            }
          : {}),
      },
      spec: {
        nodeName: o.node ?? 'n1',
        terminationGracePeriodSeconds: o.grace ?? 30,
        containers: [{ name: 'c', image: 'busybox' }],
        ...(o.emptyDir ? { volumes: [{ name: 'tmp', emptyDir: {} }] } : {}),
      },
    };
    return (await api.service.create(PODS, o.namespace ?? 'default', p)) as Pod;
  }

  /** The agent's part of a graceful deletion: the containers stopped, the pod is removed. */
  const stopped = (name: string, namespace = 'default') =>
    api.service.delete(PODS, namespace, name, { gracePeriodSeconds: 0 });
  /** Waits until the pod's eviction went through (the CLI prints `evicting pod` just before it posts). */
  async function markedForDeletion(name: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!(await api.service.get(PODS, 'default', name)).metadata.deletionTimestamp) {
      if (Date.now() > deadline) throw new Error(`${name} was not evicted`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const podNames = async () =>
    (await api.service.list(PODS, undefined)).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  const cordoned = async (name: string) =>
    ((await api.service.get(NODES, undefined, name)) as Node).spec?.unschedulable === true;

  beforeEach(async () => {
    api = await startTestApiServer();
    await createNode(api.service, 'n1');
    await createNode(api.service, 'n2');
    await api.service.create(DAEMONSETS, 'default', daemonSet('ds'));
  });
  afterEach(() => api.close());

  it('refuses DaemonSet, bare and emptyDir pods without the flags, leaving the node cordoned and its pods', async () => {
    await createPod('bare');
    await createPod('ds-1', { owner: 'DaemonSet/ds' });
    await createPod('scratch', { owner: 'ReplicaSet/web', emptyDir: true });
    await createPod('web-1', { owner: 'ReplicaSet/web' });
    const res = await testCli({ server: api.url }).run('drain', 'n1');
    const errors = [
      'cannot delete Pods that declare no controller (use --force to override): default/bare',
      'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/ds-1',
      'cannot delete Pods with local storage (use --delete-emptydir-data to override): default/scratch',
    ];
    expect(res).toEqual({
      code: 1,
      stdout: 'node/n1 cordoned\n',
      stderr:
        `error: unable to drain node "n1" due to error: [${errors.join(', ')}], continuing command...\n` +
        'There are pending nodes to be drained:\n n1\n' +
        errors.map((e) => `${e}\n`).join(''),
    });
    expect(await cordoned('n1')).toBe(true);
    const all = (await api.service.list(PODS, undefined)).items;
    expect(all.filter((p) => p.metadata.deletionTimestamp)).toEqual([]);
  });

  it('evicts the rest with the flags, keeps the DaemonSet pod, and waits until the evicted pods are gone', async () => {
    await createPod('bare', { grace: 7 });
    await createPod('ds-1', { owner: 'DaemonSet/ds' });
    await createPod('scratch', { owner: 'ReplicaSet/web', emptyDir: true });
    await createPod('web-1', { owner: 'ReplicaSet/web' });
    await createPod('web-2', { owner: 'ReplicaSet/web', node: 'n2' });
    const cli = testCli({ server: api.url });
    let done = false;
    const running = cli
      .run('drain', 'n1', '--ignore-daemonsets', '--force', '--delete-emptydir-data')
      .then((r) => ((done = true), r));
    await markedForDeletion('web-1');
    expect(cli.stdout.text).toBe(
      'node/n1 cordoned\nevicting pod default/bare\nevicting pod default/scratch\nevicting pod default/web-1\n',
    );
    expect(cli.stderr.text).toBe(
      'Warning: deleting Pods that declare no controller: default/bare; ' +
        'ignoring DaemonSet-managed Pods: default/ds-1\n',
    );
    // Graceful: marked with each pod's own grace period, still there until the agent stops them.
    const bare = (await api.service.get(PODS, 'default', 'bare')) as Pod;
    expect(bare.metadata.deletionGracePeriodSeconds).toBe(7);
    expect(bare.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'DisruptionTarget', reason: 'EvictionByEvictionAPI' }),
    );
    expect(
      ((await api.service.get(PODS, 'default', 'web-1')) as Pod).metadata.deletionGracePeriodSeconds,
    ).toBe(30);
    expect(done).toBe(false);

    await stopped('scratch');
    await eventually(() => cli.stdout.text.includes('pod/scratch evicted'), 'scratch evicted');
    await stopped('web-1');
    await stopped('bare');
    const res = await running;
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      'node/n1 cordoned\nevicting pod default/bare\nevicting pod default/scratch\nevicting pod default/web-1\n' +
        'pod/scratch evicted\npod/web-1 evicted\npod/bare evicted\nnode/n1 drained\n',
    );
    expect(await podNames()).toEqual(['default/ds-1', 'default/web-2']);
    expect(await cordoned('n1')).toBe(true);
    expect(await cordoned('n2')).toBe(false);
  });

  it("--grace-period overrides the pods' own; 0 removes them at once, so nothing is left to wait for", async () => {
    await createPod('web-1', { owner: 'ReplicaSet/web' });
    const cli = testCli({ server: api.url });
    const running = cli.run('drain', 'n1', '--grace-period', '5');
    await markedForDeletion('web-1');
    const marked = (await api.service.get(PODS, 'default', 'web-1')) as Pod;
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(5);
    await stopped('web-1');
    expect((await running).code).toBe(0);

    await api.service.patch(NODES, undefined, 'n1', 'merge', { spec: { unschedulable: null } });
    await createPod('web-3', { owner: 'ReplicaSet/web' });
    const res = await testCli({ server: api.url }).run('drain', 'n1', '--grace-period=0');
    expect(res).toEqual({
      code: 0,
      stdout: 'node/n1 cordoned\nevicting pod default/web-3\npod/web-3 evicted\nnode/n1 drained\n',
      stderr: '',
    });
  });

  it("gives up after --timeout with the pending pods and kubectl's error lines", async () => {
    await createPod('web-1', { owner: 'ReplicaSet/web' });
    await createPod('web-2', { owner: 'ReplicaSet/web' });
    const cli = testCli({ server: api.url });
    const running = cli.run('drain', 'n1', '--timeout', '10s');
    await markedForDeletion('web-2');
    await stopped('web-1');
    await eventually(() => cli.stdout.text.includes('pod/web-1 evicted'), 'web-1 evicted');
    await cli.clock.advance(10_000);
    const res = await running;
    const err =
      'error when waiting for pod "web-2" in namespace "default" to terminate: context deadline exceeded';
    expect(res.code).toBe(1);
    expect(res.stdout).toBe(
      'node/n1 cordoned\nevicting pod default/web-1\nevicting pod default/web-2\npod/web-1 evicted\n',
    );
    expect(res.stderr).toBe(
      `There are pending pods in node "n1" when an error occurred: ${err}\npod/web-2\n` +
        `error: unable to drain node "n1" due to error: ${err}, continuing command...\n` +
        'There are pending nodes to be drained:\n n1\n' +
        `${err}\n`,
    );
  });

  it('drains an empty node, leaves other nodes and unscheduled pods alone, and drains several nodes in turn', async () => {
    const pending = (await api.service.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pending' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    })) as Pod;
    await createPod('other', { node: 'n2', owner: 'ReplicaSet/web', grace: 0 });
    const res = await testCli({ server: api.url }).run('drain', 'n1');
    expect(res).toEqual({ code: 0, stdout: 'node/n1 cordoned\nnode/n1 drained\n', stderr: '' });
    expect(await podNames()).toEqual(['default/other', 'default/pending']);
    expect(pending.spec.nodeName).toBeUndefined();

    const both = await testCli({ server: api.url }).run('drain', 'n1', 'node/n2');
    expect(both.stdout).toBe(
      'node/n1 already cordoned\nnode/n2 cordoned\nnode/n1 drained\nevicting pod default/other\n' +
        'pod/other evicted\nnode/n2 drained\n',
    );
  });

  it('evicts across namespaces and finished bare pods without --force', async () => {
    await createPod('job-pod', { namespace: 'kube-system' });
    await api.service.updateStatus(PODS, 'kube-system', 'job-pod', {
      ...(await api.service.get(PODS, 'kube-system', 'job-pod')),
      status: { phase: 'Succeeded' },
    });
    const res = await testCli({ server: api.url }).run('drain', 'n1');
    // A finished pod is removed at once (nothing runs it any more).
    expect(res).toEqual({
      code: 0,
      stdout: 'node/n1 cordoned\nevicting pod kube-system/job-pod\npod/job-pod evicted\nnode/n1 drained\n',
      stderr: '',
    });
  });

  it('an orphaned DaemonSet pod (its DaemonSet deleted) needs --force', async () => {
    await createPod('orphan', { owner: 'DaemonSet/gone', grace: 0 });
    const refused = await testCli({ server: api.url }).run('drain', 'n1', '--ignore-daemonsets');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'due to error: cannot delete daemonsets.apps "gone" not found: default/orphan, continuing command...',
    );
    const forced = await testCli({ server: api.url }).run('drain', 'n1', '--force');
    expect(forced).toEqual({
      code: 0,
      stdout: 'node/n1 already cordoned\nevicting pod default/orphan\npod/orphan evicted\nnode/n1 drained\n',
      stderr: '',
    });
  });

  it('a missing node: NotFound, nothing cordoned', async () => {
    const res = await testCli({ server: api.url }).run('drain', 'n1', 'nope');
    expect(res).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): nodes "nope" not found\n',
    });
    expect(await cordoned('n1')).toBe(false);
  });

  it('rejects a malformed --timeout', async () => {
    const res = await testCli({ server: api.url }).run('drain', 'n1', '--timeout', 'soon');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('invalid argument "soon" for "--timeout" flag');
    expect(await cordoned('n1')).toBe(false);
  });
});

describe('drain helpers', () => {
  it('the Eviction body kubectl sends', () => {
    const p = { metadata: { name: 'a', namespace: 'ns' } } as Pod;
    expect(evictionFor(p, -1)).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'a', namespace: 'ns' },
      deleteOptions: {},
    });
    expect(evictionFor(p, 0)).toMatchObject({ deleteOptions: { gracePeriodSeconds: 0 } });
  });

  it("Go's aggregate error text", () => {
    expect(aggregate(['a'])).toBe('a');
    expect(aggregate(['a', 'b'])).toBe('[a, b]');
  });
});
