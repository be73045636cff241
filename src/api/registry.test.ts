import { describe, expect, it } from 'vitest';
import { podDef } from './kinds/pod.js';
import { defaultRegistry, Registry } from './registry.js';
import { apiVersionOf, type ResourceDef } from './resource-def.js';

const registry = defaultRegistry();

describe('defaultRegistry', () => {
  it('holds the kinds in discovery order', () => {
    expect(registry.all().map((d) => `${apiVersionOf(d)}/${d.resource}`)).toEqual([
      'v1/pods',
      'v1/services',
      'v1/nodes',
      'v1/namespaces',
      'v1/events',
      'v1/configmaps',
      'v1/secrets',
      'v1/persistentvolumeclaims',
      'v1/endpoints',
      'apps/v1/controllerrevisions',
      'apps/v1/daemonsets',
      'apps/v1/deployments',
      'apps/v1/replicasets',
      'apps/v1/statefulsets',
      'batch/v1/cronjobs',
      'batch/v1/jobs',
      'coordination.k8s.io/v1/leases',
      'discovery.k8s.io/v1/endpointslices',
    ]);
  });

  it('lists groups core first, then apps and batch as Kubernetes does', () => {
    expect(registry.groups()).toEqual([
      { group: '', versions: ['v1'] },
      { group: 'apps', versions: ['v1'] },
      { group: 'batch', versions: ['v1'] },
      { group: 'coordination.k8s.io', versions: ['v1'] },
      { group: 'discovery.k8s.io', versions: ['v1'] },
    ]);
  });

  it('puts the kinds of `kubectl get all` in Kubernetes order', () => {
    const all = registry.all().filter((d) => d.categories.includes('all'));
    expect(all.map((d) => d.resource)).toEqual([
      'pods',
      'services',
      'daemonsets',
      'deployments',
      'replicasets',
      'statefulsets',
      'cronjobs',
      'jobs',
    ]);
  });

  it.each([
    ['deployments', ['deploy'], ['all'], ['scale', 'status']],
    ['replicasets', ['rs'], ['all'], ['scale', 'status']],
    ['daemonsets', ['ds'], ['all'], ['status']],
    ['statefulsets', ['sts'], ['all'], ['scale', 'status']],
    ['controllerrevisions', [], [], []],
    ['jobs', [], ['all'], ['status']],
    ['cronjobs', ['cj'], ['all'], ['status']],
    ['persistentvolumeclaims', ['pvc'], [], ['status']],
  ])('%s: short names %j, categories %j, subresources %j', (resource, shortNames, categories, subs) => {
    const def = registry.all().find((d) => d.resource === resource)!;
    expect(def.shortNames).toEqual(shortNames);
    expect(def.categories).toEqual(categories);
    expect(def.subresources.map((s) => s.name)).toEqual(subs);
    expect(def.scale !== undefined).toBe(subs.includes('scale'));
    for (const sub of def.subresources.filter((s) => s.name === 'scale')) {
      expect(sub).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    }
  });

  it('finds by group/version/resource and by kind', () => {
    expect(registry.get('', 'v1', 'pods')?.kind).toBe('Pod');
    expect(registry.get('coordination.k8s.io', 'v1', 'leases')?.kind).toBe('Lease');
    expect(registry.get('apps', 'v1', 'pods')).toBeUndefined();
    expect(registry.byKind('v1', 'Service')?.resource).toBe('services');
    expect(registry.byKind('coordination.k8s.io/v1', 'Lease')?.resource).toBe('leases');
    expect(registry.byKind('v1', 'Lease')).toBeUndefined();
  });

  it.each([
    ['po', 'pods'],
    ['pod', 'pods'],
    ['pods', 'pods'],
    ['Pod', 'pods'],
    ['PODS', 'pods'],
    ['svc', 'services'],
    ['no', 'nodes'],
    ['ns', 'namespaces'],
    ['ev', 'events'],
    ['cm', 'configmaps'],
    ['lease', 'leases'],
    ['leases.coordination.k8s.io', 'leases'],
    ['leases.v1.coordination.k8s.io', 'leases'],
    ['pods.v1', 'pods'],
    ['deploy', 'deployments'],
    ['rs', 'replicasets'],
    ['ds', 'daemonsets'],
    ['sts', 'statefulsets'],
    ['cj', 'cronjobs'],
    ['pvc', 'persistentvolumeclaims'],
    ['job', 'jobs'],
    ['controllerrevision', 'controllerrevisions'],
    ['deployments.apps', 'deployments'],
    ['deployment.v1.apps', 'deployments'],
    ['jobs.batch', 'jobs'],
    ['cronjobs.v1.batch', 'cronjobs'],
  ])('resolves %s', (name, resource) => {
    expect(registry.resolve(name)?.resource).toBe(resource);
  });

  it.each(['', 'deploy.batch', 'jobs.apps', 'leases.apps', 'pods.apps', 'nope'])(
    'does not resolve %j',
    (name) => {
      expect(registry.resolve(name)).toBeUndefined();
    },
  );

  it('every kind has a Name column with format name and prints one cell per column, even for a bare object', () => {
    for (const def of registry.all()) {
      expect(def.columns.some((c) => c.format === 'name')).toBe(true);
      expect(def.verbs).toEqual(
        expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
      );
      const bare = {
        apiVersion: apiVersionOf(def),
        kind: def.kind,
        metadata: { name: 'x', namespace: 'default' },
      };
      def.defaults?.(bare);
      const row = def.row(bare, { now: Date.parse('2026-01-01T00:00:00Z') });
      expect(row, def.resource).toHaveLength(def.columns.length);
      expect(row[def.columns.findIndex((c) => c.format === 'name')]).toBe('x');
    }
  });
});

describe('Registry with more kinds', () => {
  it('resolves deployments.apps style names and keeps core first in groups', () => {
    const deployments: ResourceDef = {
      ...podDef,
      group: 'apps',
      resource: 'deployments',
      kind: 'Deployment',
      listKind: 'DeploymentList',
      singular: 'deployment',
      shortNames: ['deploy'],
    } as ResourceDef;
    const r = new Registry([deployments, podDef]);
    expect(r.groups().map((g) => g.group)).toEqual(['', 'apps']);
    expect(r.resolve('deploy')?.kind).toBe('Deployment');
    expect(r.resolve('deployments.apps')?.kind).toBe('Deployment');
    expect(r.resolve('deployment.apps')?.kind).toBe('Deployment');
    expect(r.resolve('deployments.v1.apps')?.kind).toBe('Deployment');
  });
});
