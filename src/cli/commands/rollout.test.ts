import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types.js';
import { DEPLOYMENTS, PODS, REPLICASETS, STATEFULSETS } from '../../client/api-client.js';
import { findNewReplicaSet } from '../../controllers/deployment/replica-sets.js';
import { deployment, rsFor, templateWithImage } from '../../controllers/deployment/test-support.js';
import { pod } from '../../controllers/replicaset/test-support.js';
import { flushMicrotasks } from '../../../test/fakes/fake-clock.js';
import { eventually } from '../cli-test-support.js';
import { fakeCli, type FakeCli } from '../rollout/test-support.js';

const REVISION = 'deployment.kubernetes.io/revision';
const CAUSE = 'kubernetes.io/change-cause';

/** A Deployment stored in the fake API, with the given status (generation 1 unless bumped). */
function seedDeployment(cli: FakeCli, status: DeploymentStatus, o: Parameters<typeof deployment>[1] = {}) {
  const [d] = cli.client.seed(DEPLOYMENTS, deployment('web', o)) as Deployment[];
  return cli.client.updateStatus(DEPLOYMENTS, 'default', { ...d, status }) as Promise<Deployment>;
}

async function setStatus(cli: FakeCli, status: DeploymentStatus): Promise<void> {
  const d = cli.client.find<Deployment>(DEPLOYMENTS, 'default', 'web')!;
  await cli.client.updateStatus(DEPLOYMENTS, 'default', { ...d, status });
  await flushMicrotasks();
}

const done = (n: number): DeploymentStatus => ({
  observedGeneration: 1,
  replicas: n,
  updatedReplicas: n,
  readyReplicas: n,
  availableReplicas: n,
});

describe('skiff rollout status', () => {
  it('says so at once when the rollout is complete', async () => {
    const cli = fakeCli();
    await seedDeployment(cli, done(3));
    const res = await cli.run('rollout', 'status', 'deployment/web');
    expect(res).toEqual({ code: 0, stdout: 'deployment "web" successfully rolled out\n', stderr: '' });
    expect(cli.client.actionsOf('watch')).toEqual([]);
  });

  it('prints each new state on its own line until done (not a terminal)', async () => {
    const cli = fakeCli();
    await seedDeployment(cli, { observedGeneration: 0 });
    const running = cli.run('rollout', 'status', 'deploy', 'web');
    await eventually(() => cli.stdout.text.includes('observed'), 'the first state');
    await setStatus(cli, { observedGeneration: 1, replicas: 1, updatedReplicas: 1 });
    await setStatus(cli, { observedGeneration: 1, replicas: 1, updatedReplicas: 1 }); // no change: no new line
    await setStatus(cli, { observedGeneration: 1, replicas: 4, updatedReplicas: 3 });
    await setStatus(cli, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 2 });
    await setStatus(cli, done(3));
    const res = await running;
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      [
        'Waiting for deployment spec update to be observed...',
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
        'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
        'deployment "web" successfully rolled out',
        '',
      ].join('\n'),
    );
    expect(cli.client.actionsOf('watch')[0].opts).toMatchObject({ fieldSelector: 'metadata.name=web' });
  });

  it('rewrites one line on a terminal', async () => {
    const cli = fakeCli();
    cli.stdout.isTTY = true;
    await seedDeployment(cli, {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 1,
    });
    const running = cli.run('rollout', 'status', 'deployment/web');
    await eventually(() => cli.stdout.text.includes('1 of 3'), 'the first state');
    await setStatus(cli, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 2 });
    await setStatus(cli, done(3));
    expect((await running).stdout).toBe(
      '\r\x1b[KWaiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...' +
        '\r\x1b[KWaiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...' +
        '\r\x1b[Kdeployment "web" successfully rolled out\n',
    );
  });

  it('fails when the progress deadline is exceeded', async () => {
    const cli = fakeCli();
    await seedDeployment(cli, { observedGeneration: 1, replicas: 4, updatedReplicas: 2 });
    const running = cli.run('rollout', 'status', 'deployment/web');
    await eventually(() => cli.stdout.text.includes('2 out of 3'), 'the first state');
    await setStatus(cli, {
      observedGeneration: 1,
      replicas: 4,
      updatedReplicas: 2,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    });
    const res = await running;
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('error: deployment "web" exceeded its progress deadline\n');
  });

  it('gives up after --timeout', async () => {
    const cli = fakeCli();
    await seedDeployment(cli, { observedGeneration: 1, replicas: 3, updatedReplicas: 1 });
    const running = cli.run('rollout', 'status', 'deployment/web', '--timeout', '30s');
    await eventually(() => cli.client.actionsOf('watch').length === 1, 'the watch');
    await cli.clock.advance(29_000);
    await cli.clock.advance(1_000);
    const res = await running;
    expect(res).toMatchObject({ code: 1, stderr: 'error: timed out waiting for the condition\n' });
  });

  it('looks once with --watch=false', async () => {
    const cli = fakeCli();
    await seedDeployment(cli, { observedGeneration: 1, replicas: 3, updatedReplicas: 1 });
    const res = await cli.run('rollout', 'status', 'deployment/web', '--watch=false');
    expect(res).toEqual({
      code: 0,
      stdout:
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n',
      stderr: '',
    });
  });

  it('stops when the object is deleted, and checks --revision', async () => {
    const cli = fakeCli();
    await seedDeployment(cli, { observedGeneration: 1, replicas: 3, updatedReplicas: 1 });
    const running = cli.run('rollout', 'status', 'deployment/web');
    await eventually(() => cli.client.actionsOf('watch').length === 1, 'the watch');
    await cli.client.delete(DEPLOYMENTS, 'default', 'web');
    expect(await running).toMatchObject({ code: 1, stderr: 'error: object has been deleted\n' });

    await seedDeployment(cli, done(3), { annotations: { [REVISION]: '2' } });
    expect((await cli.run('rollout', 'status', 'deployment/web', '--revision', '2')).code).toBe(0);
    expect(await cli.run('rollout', 'status', 'deployment/web', '--revision', '3')).toMatchObject({
      code: 1,
      stderr: 'error: desired revision (3) is different from the running revision (2)\n',
    });
  });

  it('reports kinds without a status viewer and missing objects like kubectl', async () => {
    const cli = fakeCli();
    cli.client.seed(PODS, pod('p'));
    expect((await cli.run('rollout', 'status', 'pod/p')).stderr).toBe(
      'error: no status viewer has been implemented for Pod\n',
    );
    expect((await cli.run('rollout', 'status', 'deployment/nope')).stderr).toBe(
      'Error from server (NotFound): deployments.apps "nope" not found\n',
    );
  });
});

/** web at revision 2 (nginx:1.28) with its revision-1 ReplicaSet (nginx:1.27) scaled down. */
function seedHistory(cli: FakeCli, o: { paused?: boolean } = {}) {
  const v1 = deployment('web', {
    annotations: { [CAUSE]: 'kubectl create deployment web --image=nginx:1.27' },
  });
  const v2template = templateWithImage(v1, 'nginx:1.28');
  const [d] = cli.client.seed(DEPLOYMENTS, {
    ...v1,
    metadata: {
      ...v1.metadata,
      annotations: { [REVISION]: '2', [CAUSE]: 'kubectl set image deployment/web app=nginx:1.28' },
    },
    spec: { ...v1.spec, template: v2template, paused: o.paused ?? false },
  }) as Deployment[];
  const owned = (rs: ReplicaSet) => ({
    ...rs,
    metadata: {
      ...rs.metadata,
      ownerReferences: [{ ...rs.metadata.ownerReferences![0], uid: d.metadata.uid! }],
    },
  });
  const rs1 = owned(rsFor(v1, { replicas: 0, revision: 1 }));
  rs1.metadata.annotations![CAUSE] = 'kubectl create deployment web --image=nginx:1.27';
  const rs2 = owned(rsFor(v1, { replicas: 3, revision: 2, template: v2template }));
  rs2.metadata.annotations![CAUSE] = 'kubectl set image deployment/web app=nginx:1.28';
  const foreign = rsFor(deployment('web'), {
    replicas: 1,
    revision: 7,
    template: templateWithImage(v1, 'x'),
  });
  foreign.metadata.name = 'not-owned';
  foreign.metadata.ownerReferences![0].uid = 'someone-else';
  const [s1, s2] = cli.client.seed(REPLICASETS, rs1, rs2, foreign) as ReplicaSet[];
  return { d, rs1: s1, rs2: s2 };
}

describe('skiff rollout history', () => {
  it('lists the revisions of the ReplicaSets the Deployment controls', async () => {
    const cli = fakeCli();
    seedHistory(cli);
    const res = await cli.run('rollout', 'history', 'deployment/web');
    expect(res).toEqual({
      code: 0,
      stdout:
        'deployment.apps/web \n' +
        'REVISION  CHANGE-CAUSE\n' +
        '1         kubectl create deployment web --image=nginx:1.27\n' +
        '2         kubectl set image deployment/web app=nginx:1.28\n' +
        '\n',
      stderr: '',
    });
    expect(cli.client.actionsOf('list', 'replicasets')[0].opts).toEqual({ labelSelector: 'app=web' });
  });

  it('describes one revision with --revision', async () => {
    const cli = fakeCli();
    const { rs1 } = seedHistory(cli);
    const hash = rs1.metadata.labels!['pod-template-hash'];
    const res = await cli.run('rollout', 'history', 'deployment/web', '--revision', '1');
    expect(res.stdout).toBe(
      'deployment.apps/web with revision #1\n' +
        'Pod Template:\n' +
        `  Labels:\tapp=web\n\tpod-template-hash=${hash}\n` +
        '  Annotations:\tkubernetes.io/change-cause: kubectl create deployment web --image=nginx:1.27\n' +
        '  Containers:\n' +
        '   app:\n' +
        '    Image:\tnginx:1.27\n' +
        '    Port:\t<none>\n' +
        '    Host Port:\t<none>\n' +
        '    Environment:\t<none>\n' +
        '    Mounts:\t<none>\n' +
        '  Volumes:\t<none>\n' +
        '  Node-Selectors:\t<none>\n' +
        '  Tolerations:\t<none>\n' +
        '\n',
    );
    expect((await cli.run('rollout', 'history', 'deployment/web', '--revision', '9')).stderr).toBe(
      'error: unable to find the specified revision\n',
    );
  });

  it('says when there is no history, and which kinds have none', async () => {
    const cli = fakeCli();
    cli.client.seed(DEPLOYMENTS, deployment('web'));
    expect((await cli.run('rollout', 'history', 'deployment/web')).stdout).toBe(
      'deployment.apps/web \nNo rollout history found.\n',
    );
    expect((await cli.run('rollout', 'history', 'ds/agent')).stderr).toBe(
      'error: no history viewer has been implemented for "DaemonSet.apps"\n',
    );
  });
});

describe('skiff rollout undo', () => {
  it("sends kubectl's JSON patch, which maps back to the old ReplicaSet", async () => {
    const cli = fakeCli();
    const { rs1 } = seedHistory(cli);
    const res = await cli.run('rollout', 'undo', 'deployment/web');
    expect(res).toEqual({ code: 0, stdout: 'deployment.apps/web rolled back\n', stderr: '' });
    const [patch] = cli.client.actionsOf('patch', 'deployments');
    expect(patch.patchType).toBe('json');
    expect(patch.body).toEqual([
      {
        op: 'replace',
        path: '/spec/template',
        value: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            ...rs1.spec.template!.spec,
            containers: [{ ...rs1.spec.template!.spec.containers[0], resources: {} }],
          },
        },
      },
      {
        op: 'replace',
        path: '/metadata/annotations',
        value: { [REVISION]: '2', [CAUSE]: 'kubectl create deployment web --image=nginx:1.27' },
      },
    ]);
    // The Deployment controller's lookup finds the revision-1 ReplicaSet for the patched template.
    const d = cli.client.find<Deployment>(DEPLOYMENTS, 'default', 'web')!;
    expect(findNewReplicaSet(d, cli.client.objectsOf<ReplicaSet>(REPLICASETS))?.metadata.name).toBe(
      rs1.metadata.name,
    );
  });

  it('rolls back to --to-revision, and refuses what kubectl refuses', async () => {
    const cli = fakeCli();
    seedHistory(cli);
    expect((await cli.run('rollout', 'undo', 'deployment/web', '--to-revision', '2')).stdout).toBe(
      'deployment.apps/web skipped rollback (current template already matches revision 2)\n',
    );
    expect((await cli.run('rollout', 'undo', 'deployment/web', '--to-revision', '5')).stderr).toBe(
      'error: unable to find specified revision 5 in history\n',
    );
    expect(cli.client.actionsOf('patch')).toEqual([]);

    const paused = fakeCli();
    seedHistory(paused, { paused: true });
    expect((await paused.run('rollout', 'undo', 'deployment/web')).stderr).toBe(
      "error: you cannot rollback a paused deployment; resume it first with 'skiff rollout resume' and try again\n",
    );
  });
});

describe('skiff rollout restart, pause, resume', () => {
  it('restarts with a template annotation (a new rollout)', async () => {
    const cli = fakeCli();
    cli.client.seed(DEPLOYMENTS, deployment('web'));
    const res = await cli.run('rollout', 'restart', 'deployment/web');
    expect(res).toEqual({ code: 0, stdout: 'deployment.apps/web restarted\n', stderr: '' });
    const [patch] = cli.client.actionsOf('patch');
    expect(patch).toMatchObject({
      patchType: 'strategic',
      body: {
        spec: {
          template: {
            metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-30T04:40:01Z' } },
          },
        },
      },
      opts: { fieldManager: 'kubectl-rollout' },
    });
    const d = cli.client.find<Deployment>(DEPLOYMENTS, 'default', 'web')!;
    expect(d.metadata.generation).toBe(2);
  });

  it('pauses and resumes, with kubectl’s errors for the wrong state', async () => {
    const cli = fakeCli();
    cli.client.seed(DEPLOYMENTS, deployment('web'));
    expect((await cli.run('rollout', 'pause', 'deployment/web')).stdout).toBe('deployment.apps/web paused\n');
    expect(cli.client.find<Deployment>(DEPLOYMENTS, 'default', 'web')!.spec.paused).toBe(true);
    expect(await cli.run('rollout', 'pause', 'deployment/web')).toMatchObject({
      code: 1,
      stderr: 'error: deployments.apps "web" is already paused\n',
    });
    expect((await cli.run('rollout', 'restart', 'deployment/web')).stderr).toBe(
      `error: deployments.apps "web" can't restart paused deployment (run rollout resume first)\n`,
    );
    expect((await cli.run('rollout', 'resume', 'deployment/web')).stdout).toBe(
      'deployment.apps/web resumed\n',
    );
    expect((await cli.run('rollout', 'resume', 'deployment/web')).stderr).toBe(
      'error: deployments.apps "web" is not paused\n',
    );
    expect(
      cli.client.actionsOf('patch').map((a) => [a.body, (a.opts as { fieldManager?: string }).fieldManager]),
    ).toEqual([
      [{ spec: { paused: true } }, 'kubectl-rollout'],
      [{ spec: { paused: false } }, 'kubectl-rollout'],
    ]);
  });

  it('restarts StatefulSets and DaemonSets too', async () => {
    const cli = fakeCli();
    cli.client.seed(STATEFULSETS, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: { template: { metadata: { labels: { app: 'db' } }, spec: { containers: [] } } },
    });
    expect((await cli.run('rollout', 'restart', 'sts/db')).stdout).toBe('statefulset.apps/db restarted\n');
    expect(cli.client.actionsOf('patch', 'statefulsets')).toHaveLength(1);
  });

  it('supports pausing Deployments only', async () => {
    const cli = fakeCli();
    cli.client.seed(REPLICASETS, rsFor(deployment('web'), { replicas: 1 }));
    const name = cli.client.objectsOf(REPLICASETS)[0].metadata.name;
    expect((await cli.run('rollout', 'pause', `rs/${name}`)).stderr).toBe(
      `error: replicasets.apps "${name}" pausing is not supported\n`,
    );
  });
});
