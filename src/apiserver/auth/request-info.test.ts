import { describe, expect, it } from 'vitest';
import {
  requestAttributes,
  resourceWithSubresource,
  singleNameSelector,
  type ResourceAttributes,
} from './request-info.js';

describe('request attributes', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods', { verb: 'list', resource: 'pods', namespace: 'default' }],
    ['GET', '/api/v1/namespaces/default/pods?watch=true', { verb: 'watch', resource: 'pods' }],
    ['GET', '/api/v1/watch/namespaces/default/pods', { verb: 'watch', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/default/pods/web', { verb: 'get', name: 'web' }],
    ['POST', '/api/v1/namespaces/default/pods', { verb: 'create', resource: 'pods' }],
    ['PUT', '/api/v1/namespaces/default/pods/web/status', { verb: 'update', subresource: 'status' }],
    ['PATCH', '/apis/apps/v1/namespaces/d/deployments/web', { verb: 'patch', group: 'apps' }],
    ['DELETE', '/api/v1/namespaces/default/pods/web', { verb: 'delete', name: 'web' }],
    ['DELETE', '/api/v1/namespaces/default/pods', { verb: 'deletecollection' }],
    ['GET', '/api/v1/namespaces/default/pods/web/exec?command=sh', { verb: 'create', subresource: 'exec' }],
    ['POST', '/api/v1/namespaces/default/pods/web/attach', { verb: 'create', subresource: 'attach' }],
    ['GET', '/api/v1/namespaces/default/pods/web/log', { verb: 'get', subresource: 'log' }],
    ['GET', '/api/v1/nodes/n1', { verb: 'get', resource: 'nodes', name: 'n1' }],
    ['GET', '/api/v1/namespaces/kube-system', { verb: 'get', resource: 'namespaces', name: 'kube-system' }],
  ])('%s %s', (method, url, want) => {
    const a = requestAttributes(method, url);
    expect(a.kind).toBe('resource');
    expect(a).toMatchObject(want);
  });

  it('treats discovery and skiff’s own paths as plain paths', () => {
    expect(requestAttributes('GET', '/api')).toEqual({ kind: 'nonResource', verb: 'get', path: '/api' });
    expect(requestAttributes('GET', '/apis/apps/v1')).toEqual({
      kind: 'nonResource',
      verb: 'get',
      path: '/apis/apps/v1',
    });
    expect(requestAttributes('POST', '/skiff/v1/join')).toEqual({
      kind: 'nonResource',
      verb: 'post',
      path: '/skiff/v1/join',
    });
    expect(requestAttributes('GET', '/version?timeout=5s')).toEqual({
      kind: 'nonResource',
      verb: 'get',
      path: '/version',
    });
  });

  it('keeps the field selector and finds a list narrowed to one name', () => {
    const a = requestAttributes(
      'GET',
      '/api/v1/namespaces/d/secrets?fieldSelector=metadata.name%3Dcreds&watch=1',
    );
    expect(a).toMatchObject({ verb: 'watch', fieldSelector: 'metadata.name=creds' });
    expect(singleNameSelector('metadata.name=creds')).toBe('creds');
    expect(singleNameSelector('metadata.name==creds')).toBe('creds');
    expect(singleNameSelector('metadata.name=a,spec.x=b')).toBeUndefined();
    expect(singleNameSelector('metadata.name!=a')).toBeUndefined();
    expect(singleNameSelector(undefined)).toBeUndefined();
    expect(
      resourceWithSubresource(requestAttributes('PUT', '/api/v1/nodes/n1/status') as ResourceAttributes),
    ).toBe('nodes/status');
  });
});
