import { describe, expect, it } from 'vitest';
import type { Deployment, KubeObject } from '../../api/types.js';
import { DEPLOYMENTS, PODS, STATEFULSETS } from '../../client/api-client.js';
import { deployment } from '../../controllers/deployment/test-support.js';
import { pod } from '../../controllers/replicaset/test-support.js';
import { flushMicrotasks } from '../../../test/fakes/fake-clock.js';
import { eventually } from '../cli-test-support.js';
import { fakeCli, type FakeCli } from '../rollout/test-support.js';

async function setStatus(cli: FakeCli, status: Record<string, number>): Promise<void> {
  const d = cli.client.find<Deployment>(DEPLOYMENTS, 'default', 'web')!;
  await cli.client.updateStatus(DEPLOYMENTS, 'default', { ...d, status });
  await flushMicrotasks();
}

describe('skiff scale', () => {
  it("patches the scale subresource as kubectl does and prints kubectl's line", async () => {
    const cli = fakeCli();
    cli.client.seed(DEPLOYMENTS, deployment('web', { replicas: 2 }));
    const res = await cli.run('scale', 'deployment/web', '--replicas', '5');
    expect(res).toEqual({ code: 0, stdout: 'deployment.apps/web scaled\n', stderr: '' });
    expect(
      cli.client.actions.filter((a) => a.verb !== 'watch').map((a) => [a.verb, a.resource, a.subresource]),
    ).toEqual([
      ['get', 'deployments', undefined],
      ['patch', 'deployments', 'scale'],
    ]);
    expect(cli.client.actionsOf('patch')[0]).toMatchObject({
      patchType: 'merge',
      body: { spec: { replicas: 5 } },
    });
    expect(cli.client.find<Deployment>(DEPLOYMENTS, 'default', 'web')!.spec.replicas).toBe(5);
  });

  it('takes TYPE NAME… and other scalable kinds', async () => {
    const cli = fakeCli();
    cli.client.seed(DEPLOYMENTS, deployment('a'), deployment('b'));
    cli.client.seed(STATEFULSETS, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: { replicas: 1 },
    } as KubeObject);
    expect((await cli.run('scale', 'deploy', 'a', 'b', '--replicas=0')).stdout).toBe(
      'deployment.apps/a scaled\ndeployment.apps/b scaled\n',
    );
    expect((await cli.run('scale', 'sts/db', '--replicas', '3')).stdout).toBe('statefulset.apps/db scaled\n');
  });

  it('reports missing objects as kubectl does and goes on with the others', async () => {
    const cli = fakeCli();
    cli.client.seed(DEPLOYMENTS, deployment('web'));
    const res = await cli.run('scale', 'deployment/nope', 'deployment/web', '--replicas', '1');
    expect(res).toEqual({
      code: 1,
      stdout: 'deployment.apps/web scaled\n',
      stderr: 'error: no objects passed to scale deployments.apps "nope" not found\n',
    });
  });

  it('needs --replicas and a kind with a scale subresource', async () => {
    const cli = fakeCli();
    cli.client.seed(PODS, pod('p'));
    expect((await cli.run('scale', 'deployment/web')).stderr).toBe(
      'error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n',
    );
    expect((await cli.run('scale', 'pod/p', '--replicas', '2')).stderr).toBe(
      'error: cannot scale pods "p": no scale subresource\n',
    );
  });

  it('waits with --wait until the replicas are ready, one line per change off a terminal', async () => {
    const cli = fakeCli();
    cli.client.seed(DEPLOYMENTS, deployment('web', { replicas: 2 }));
    await setStatus(cli, { observedGeneration: 1, replicas: 2, readyReplicas: 2 });
    const running = cli.run('scale', 'deployment/web', '--replicas', '4', '--wait');
    await eventually(() => cli.stdout.text.includes('Waiting'), 'the progress line');
    await setStatus(cli, { observedGeneration: 2, replicas: 4, readyReplicas: 3 });
    await setStatus(cli, { observedGeneration: 2, replicas: 4, readyReplicas: 4 });
    expect(await running).toEqual({
      code: 0,
      stdout:
        'deployment.apps/web scaled\n' +
        // generation 2 is not observed yet: the old status does not count
        'Waiting for deployment.apps/web to scale: 2 of 4 replicas ready...\n' +
        'Waiting for deployment.apps/web to scale: 3 of 4 replicas ready...\n' +
        'deployment.apps/web: 4 of 4 replicas ready\n',
      stderr: '',
    });
  });

  it('rewrites the line on a terminal and honours --timeout', async () => {
    const cli = fakeCli();
    cli.stdout.isTTY = true;
    cli.client.seed(DEPLOYMENTS, deployment('web', { replicas: 1 }));
    const running = cli.run('scale', 'deployment/web', '--replicas', '3', '--wait', '--timeout', '1m');
    await eventually(() => cli.client.actionsOf('watch').length === 1, 'the watch');
    await setStatus(cli, { observedGeneration: 2, replicas: 3, readyReplicas: 1 });
    await cli.clock.advance(60_000);
    expect(await running).toEqual({
      code: 1,
      stdout:
        'deployment.apps/web scaled\n' +
        '\r\x1b[KWaiting for deployment.apps/web to scale: 0 of 3 replicas ready...' +
        '\r\x1b[KWaiting for deployment.apps/web to scale: 1 of 3 replicas ready...' +
        '\r\x1b[K',
      stderr: 'error: timed out waiting for the condition\n',
    });
  });
});
