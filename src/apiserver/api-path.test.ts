import { describe, expect, it } from 'vitest';
import { parseApiPath } from './api-path.js';

describe('parseApiPath', () => {
  it.each([
    ['/api', { kind: 'root', legacy: true }],
    ['/apis', { kind: 'root', legacy: false }],
    ['/apis/apps', { kind: 'group', group: 'apps' }],
    ['/api/v1', { kind: 'groupVersion', group: '', version: 'v1' }],
    ['/apis/apps/v1/', { kind: 'groupVersion', group: 'apps', version: 'v1' }],
  ])('%s is discovery', (path, expected) => {
    expect(parseApiPath(path)).toEqual(expected);
  });

  it.each([
    ['/api/v1/pods', { resource: 'pods', namespace: undefined, name: undefined }],
    ['/api/v1/namespaces/default/pods', { resource: 'pods', namespace: 'default' }],
    ['/api/v1/namespaces/default/pods/web', { resource: 'pods', namespace: 'default', name: 'web' }],
    ['/api/v1/namespaces/default/pods/web/log', { resource: 'pods', name: 'web', subresource: 'log' }],
    ['/api/v1/namespaces', { resource: 'namespaces', namespace: undefined }],
    ['/api/v1/namespaces/team', { resource: 'namespaces', namespace: 'team', name: 'team' }],
    ['/api/v1/namespaces/team/status', { resource: 'namespaces', name: 'team', subresource: 'status' }],
    ['/api/v1/namespaces/team/finalize', { resource: 'namespaces', name: 'team', subresource: 'finalize' }],
    [
      '/apis/apps/v1/namespaces/x/deployments/web/scale',
      { group: 'apps', version: 'v1', name: 'web', subresource: 'scale' },
    ],
    ['/api/v1/nodes/n%201', { resource: 'nodes', name: 'n 1' }],
    ['/api/v1/watch/namespaces/default/pods', { resource: 'pods', namespace: 'default', watchPrefix: true }],
  ])('%s names a resource', (path, expected) => {
    expect(parseApiPath(path)).toMatchObject({ kind: 'resource', ...expected });
  });

  it.each(['/', '/version', '/api/v1/namespaces/default/pods/a/b/c', '/apis/%E0%A4%A/v1', '/healthz'])(
    '%s is not an API resource path',
    (path) => {
      expect(parseApiPath(path)).toBeUndefined();
    },
  );
});
