// The Deployment and ReplicaSet controllers against the real API server logic (ResourceService: defaults,
// validation, scale subresource) with the skiff CLI talking to it over HTTP — the path kubectl takes. It checks
// what only the real server shows: a defaulted template (`resources: {}`, `securityContext: {}`…) still hashes
// to the same ReplicaSet after `rollout undo`, and `scale` goes through the scale subresource.
import { afterEach, describe, expect, it } from 'vitest';
import { podIsReady, setPodCondition } from '../../api/object-meta.js';
import type { Deployment, Pod, ReplicaSet } from '../../api/types.js';
import { createInProcessClient } from '../../apiserver/in-process-client.js';
import { startTestApiServer, testCli, type TestApiServer } from '../../cli/cli-test-support.js';
import { DEPLOYMENTS, PODS, REPLICASETS, type ApiClient } from '../../client/api-client.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { flushMicrotasks } from '../../../test/fakes/fake-clock.js';
import { ReplicaSetController } from '../replicaset/controller.js';
import { podTemplate } from '../replicaset/test-support.js';
import { DeploymentController } from './controller.js';

interface Env {
  api: TestApiServer;
  client: ApiClient;
  informers: InformerFactory;
  dc: DeploymentController;
  rsc: ReplicaSetController;
}

let env: Env | undefined;
afterEach(async () => {
  if (!env) return;
  await env.dc.stop();
  await env.rsc.stop();
  env.informers.stop();
  await env.api.close();
  env = undefined;
});

async function start(): Promise<Env> {
  const api = await startTestApiServer();
  const client = createInProcessClient(api.service);
  const informers = new InformerFactory({ client, clock: api.clock });
  const dc = new DeploymentController({ client, informers, clock: api.clock });
  const rsc = new ReplicaSetController({ client, informers, clock: api.clock });
  await informers.start();
  dc.start();
  rsc.start();
  env = { api, client, informers, dc, rsc };
  return env;
}

/** Controllers run; the kubelet's part (pods become Running and Ready) is played here, one pod per round. */
async function settle(e: Env): Promise<void> {
  let quiet = 0;
  for (let round = 0; round < 400 && quiet < 3; round++) {
    await flushMicrotasks();
    const pods = (await e.client.list<Pod>(PODS, 'default')).items;
    const p = pods.find((x) => !podIsReady(x) && !x.metadata.deletionTimestamp);
    if (p) {
      const status = { ...(p.status ?? {}), phase: 'Running' as const };
      setPodCondition(status, { type: 'Ready', status: 'True' }, rfc3339(e.api.clock.now()));
      await e.client.updateStatus(PODS, 'default', { ...p, status });
    }
    await flushMicrotasks();
    quiet = p ? 0 : quiet + 1;
  }
}

const replicaSets = async (e: Env) => (await e.client.list<ReplicaSet>(REPLICASETS, 'default')).items;
const images = async (e: Env) =>
  (await e.client.list<Pod>(PODS, 'default')).items.map((p) => p.spec.containers[0].image).sort();

describe('Deployment rollout through the real API server and the skiff CLI', () => {
  it('rolls out, undoes to the same ReplicaSet, and scales through the scale subresource', async () => {
    const e = await start();
    await e.client.create<Deployment>(DEPLOYMENTS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'kubernetes.io/change-cause': 'v1' } },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: podTemplate({ app: 'web' }) },
    });
    await settle(e);
    const cli = testCli({ server: e.api.url });
    expect(await cli.run('rollout', 'status', 'deployment/web')).toMatchObject({
      code: 0,
      stdout: 'deployment "web" successfully rolled out\n',
    });

    await e.client.patch(DEPLOYMENTS, 'default', 'web', 'strategic', {
      metadata: { annotations: { 'kubernetes.io/change-cause': 'v2' } },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } },
    });
    // rollout status follows the rollout over an HTTP watch while the controllers work.
    const status = cli.run('rollout', 'status', 'deployment/web');
    await settle(e);
    const followed = await status;
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/^Waiting for deployment/);
    expect(followed.stdout.endsWith('deployment "web" successfully rolled out\n')).toBe(true);
    expect(await images(e)).toEqual(['nginx:1.28', 'nginx:1.28', 'nginx:1.28']);
    expect((await cli.run('rollout', 'history', 'deployment/web')).stdout).toBe(
      'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         v1\n2         v2\n\n',
    );

    expect((await cli.run('rollout', 'undo', 'deployment/web')).stdout).toBe(
      'deployment.apps/web rolled back\n',
    );
    await settle(e);
    const after = await replicaSets(e);
    expect(after).toHaveLength(2);
    expect(
      after.map((rs) => [
        rs.spec.template?.spec.containers[0].image,
        rs.metadata.annotations?.['deployment.kubernetes.io/revision'],
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['nginx:1.27', '3'],
        ['nginx:1.28', '2'],
      ]),
    );
    expect(await images(e)).toEqual(['nginx:1.27', 'nginx:1.27', 'nginx:1.27']);
    expect((await cli.run('rollout', 'status', 'deployment/web')).code).toBe(0);

    expect((await cli.run('scale', 'deployment/web', '--replicas', '5')).stdout).toBe(
      'deployment.apps/web scaled\n',
    );
    await settle(e);
    expect(await images(e)).toHaveLength(5);
    const d = await e.client.get<Deployment>(DEPLOYMENTS, 'default', 'web');
    expect(d.status).toMatchObject({
      replicas: 5,
      updatedReplicas: 5,
      readyReplicas: 5,
      availableReplicas: 5,
    });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });
});
