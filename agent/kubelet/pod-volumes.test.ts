import { describe, expect, it } from 'vitest';
import type { Pod, Volume } from '../../src/api/types.js';
import { containerMounts, planVolumes, subPathDirs } from './pod-volumes.js';

const pod = (volumes: Volume[]): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
  spec: { containers: [{ name: 'app' }], volumes },
});

describe('configMap and secret volumes in the plan', () => {
  const p = pod([
    { name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'a', path: 'a.conf' }] } },
    { name: 'sec', secret: { secretName: 'db', defaultMode: 0o400 } },
  ]);

  it('plans a plain directory for configMaps and a tmpfs mount point for secrets', () => {
    expect([...planVolumes(p, '/data').values()]).toEqual([
      {
        kind: 'configMap',
        name: 'cfg',
        hostPath: '/data/pods/u1/volumes/configmap/cfg',
        objectName: 'app-config',
        source: { name: 'app-config', items: [{ key: 'a', path: 'a.conf' }] },
      },
      {
        kind: 'secret',
        name: 'sec',
        hostPath: '/data/pods/u1/volumes/secret/sec',
        objectName: 'db',
        source: { secretName: 'db', defaultMode: 0o400 },
      },
    ]);
  });

  it('mounts them read-only whatever the mount says, subPath included', () => {
    const c = {
      name: 'app',
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/app', readOnly: false },
        { name: 'sec', mountPath: '/etc/db/password', subPath: 'password' },
      ],
    };
    const vols = planVolumes(p, '/data');
    expect(containerMounts(c, vols)).toEqual([
      { type: 'bind', source: '/data/pods/u1/volumes/configmap/cfg', target: '/etc/app', readOnly: true },
      {
        type: 'bind',
        source: '/data/pods/u1/volumes/secret/sec/password',
        target: '/etc/db/password',
        readOnly: true,
      },
    ]);
    // The atomic writer owns these directories: nothing is created in them for a subPath.
    expect(subPathDirs(c, vols)).toEqual([]);
    expect(() =>
      containerMounts(
        { name: 'app', volumeMounts: [{ name: 'sec', mountPath: '/x', subPath: '../../etc' }] },
        vols,
      ),
    ).toThrow("must be a relative path without '..'");
  });
});
