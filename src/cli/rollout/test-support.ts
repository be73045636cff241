// Fixtures for the rollout and scale command tests (not used by the CLI): the CLI wired to a FakeApiClient (the
// workload kinds' API definitions are not needed: FakeApiClient stores objects as given) and a catalog that knows
// the workload kinds' names as kubectl does (`deploy`, `deployment.apps`, `rs`, `sts`, …).
import { Registry } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource-def.js';
import type { ApiClient } from '../../client/api-client.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { testCli, type TestCli } from '../cli-test-support.js';
import type { CliClient } from '../context.js';

function def(group: string, kind: string, resource: string, shortNames: string[]): ResourceDef {
  return {
    group,
    version: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames,
    categories: [],
    verbs: [],
    subresources: [],
    statusSubresource: true,
    columns: [],
    row: () => [],
  };
}

export function workloadCatalog(): Registry {
  return new Registry([
    def('', 'Pod', 'pods', ['po']),
    def('apps', 'Deployment', 'deployments', ['deploy']),
    def('apps', 'ReplicaSet', 'replicasets', ['rs']),
    def('apps', 'StatefulSet', 'statefulsets', ['sts']),
    def('apps', 'DaemonSet', 'daemonsets', ['ds']),
  ]);
}

/** The CliClient calls these commands never make (streams, websockets) fail loudly. */
export function cliClientFor(api: ApiClient): CliClient {
  const unused = () => {
    throw new Error('not used by rollout/scale');
  };
  return {
    get: api.get.bind(api),
    list: api.list.bind(api),
    create: api.create.bind(api),
    update: api.update.bind(api),
    updateStatus: api.updateStatus.bind(api),
    patch: api.patch.bind(api),
    delete: api.delete.bind(api),
    createSubresource: api.createSubresource.bind(api),
    watch: api.watch.bind(api),
    rawRequest: unused,
    stream: unused,
    websocket: unused,
  } as CliClient;
}

export interface FakeCli extends TestCli {
  client: FakeApiClient;
}

export function fakeCli(): FakeCli {
  const clock = new FakeClock(Date.parse('2026-11-30T04:40:01Z'));
  const client = new FakeApiClient({ clock });
  const cli = testCli({ clock });
  cli.ctx.connect = () => cliClientFor(client);
  cli.ctx.catalog = workloadCatalog();
  return { ...cli, client };
}
