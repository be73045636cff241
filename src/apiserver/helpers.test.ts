import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { ApiError } from '../common/errors.js';
import { aggregatedDiscoveryVersion, wantsTable } from './negotiation.js';
import { nodeEndpoint } from './node-proxy.js';
import { checkLogsAvailable, checkStreamAllowed, chooseContainer } from './pod-containers.js';
import { parseListen } from './listen-address.js';

const pod = (containers: string[], extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', ...(extra.metadata ?? {}) },
  spec: { containers: containers.map((name) => ({ name, image: 'x' })), ...(extra.spec ?? {}) },
  status: extra.status ?? {},
});

describe('negotiation', () => {
  it('recognises Table and aggregated discovery Accept headers', () => {
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json')).toBe(true);
    expect(wantsTable('application/json, */*')).toBe(false);
    expect(wantsTable(undefined)).toBe(false);
    expect(
      aggregatedDiscoveryVersion(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
      ),
    ).toBe('v2');
    expect(
      aggregatedDiscoveryVersion('application/json;as=APIGroupDiscoveryList;v=v2beta1;g=apidiscovery.k8s.io'),
    ).toBe('v2beta1');
    expect(aggregatedDiscoveryVersion('application/json')).toBeUndefined();
  });
});

describe('pod containers', () => {
  it('chooses the requested, the only, or the annotated default container', () => {
    expect(chooseContainer(pod(['a']), undefined)).toBe('a');
    expect(chooseContainer(pod(['a', 'b']), 'b')).toBe('b');
    expect(
      chooseContainer(
        pod(['a', 'b'], { metadata: { annotations: { 'kubectl.kubernetes.io/default-container': 'b' } } }),
        undefined,
      ),
    ).toBe('b');
    expect(() => chooseContainer(pod(['a', 'b']), undefined)).toThrow(
      'a container name must be specified for pod p, choose one of: [a b]',
    );
    const withInit = pod(['a', 'b'], { spec: { initContainers: [{ name: 'i', image: 'x' }] } as never });
    expect(() => chooseContainer(withInit, undefined)).toThrow('or one of the init containers: [i]');
    expect(chooseContainer(withInit, 'i')).toBe('i');
    expect(() => chooseContainer(pod(['a']), 'z')).toThrow('container z is not valid for pod p');
  });

  it('knows when logs exist', () => {
    const bound = (state: object, lastState: object = {}) =>
      pod(['a'], {
        spec: { nodeName: 'n' } as never,
        status: { containerStatuses: [{ name: 'a', state, lastState }] },
      });
    expect(() => checkLogsAvailable(pod(['a']), 'a', false)).toThrow(
      'container "a" in pod "p" is waiting to start: ContainerCreating',
    );
    expect(() => checkLogsAvailable(bound({ waiting: { reason: 'ImagePullBackOff' } }), 'a', false)).toThrow(
      'waiting to start: ImagePullBackOff',
    );
    expect(() => checkLogsAvailable(bound({ running: {} }), 'a', false)).not.toThrow();
    expect(() =>
      checkLogsAvailable(
        bound({ waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { exitCode: 1 } }),
        'a',
        false,
      ),
    ).not.toThrow();
    expect(() => checkLogsAvailable(pod(['a']), 'a', true)).not.toThrow();
  });

  it('allows exec only on placed, unfinished pods', () => {
    expect(() => checkStreamAllowed(pod(['a']))).toThrow('pod p does not have a host assigned');
    expect(() =>
      checkStreamAllowed(pod(['a'], { spec: { nodeName: 'n' } as never, status: { phase: 'Succeeded' } })),
    ).toThrow('cannot exec into a container in a completed pod; current phase is Succeeded');
    expect(() =>
      checkStreamAllowed(pod(['a'], { spec: { nodeName: 'n' } as never, status: { phase: 'Running' } })),
    ).not.toThrow();
  });
});

describe('nodeEndpoint', () => {
  const node = (addresses: object[], port?: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    status: { addresses, ...(port ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
  });
  it('prefers InternalIP, falls back to Hostname and the default port', () => {
    expect(
      nodeEndpoint(
        node(
          [
            { type: 'Hostname', address: 'h' },
            { type: 'InternalIP', address: '10.0.0.2' },
          ],
          10255,
        ),
      ),
    ).toEqual({
      nodeName: 'n1',
      host: '10.0.0.2',
      port: 10255,
    });
    expect(nodeEndpoint(node([{ type: 'Hostname', address: 'h' }]))).toEqual({
      nodeName: 'n1',
      host: 'h',
      port: 10250,
    });
    expect(() => nodeEndpoint(node([]))).toThrow(ApiError);
  });
});

describe('parseListen', () => {
  it('parses host:port forms', () => {
    expect(parseListen('127.0.0.1:6443')).toEqual({ host: '127.0.0.1', port: 6443 });
    expect(parseListen(':0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => parseListen('nope')).toThrow();
    expect(() => parseListen('h:70000')).toThrow();
  });
});
