// configMap and secret volumes in the volume manager, against the in-memory API, the fake runtime and a fake
// mounter (a temp dir stands in for the node): files per key or item with their modes, the tmpfs mounted before a
// secret is written, refreshes that follow the object, missing objects, teardown, and logs without values.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod, Volume } from '../../src/api/types.js';
import { CONFIGMAPS, type ResourceRef } from '../../src/client/api-client.js';
import { ApiError } from '../../src/common/errors.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeContainerRuntime } from '../../test/fakes/fake-container-runtime.js';
import { FakeMounter } from '../../test/fakes/fake-mounter.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { timestampDirStamp } from './object-volumes.js';
import { configMapVolumePath, planVolumes, podDir, secretVolumePath } from './pod-volumes.js';
import { VolumeManager, VolumeSetupError } from './volume-manager.js';

const SECRETS: ResourceRef = { group: '', version: 'v1', resource: 'secrets' };
const UID = 'pod-uid-1';
const VALUE = 'hunter2-unique-value';
const b64 = (s: string) => Buffer.from(s).toString('base64');

let dataDir: string;
let clock: FakeClock;
let client: FakeApiClient;
let mounter: FakeMounter;
let log: RecordingLogger;
let vm: VolumeManager;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'skiff-objvol-'));
  clock = new FakeClock(Date.parse('2026-11-30T04:59:00.123Z'));
  client = new FakeApiClient({ clock });
  mounter = new FakeMounter();
  log = new RecordingLogger();
  vm = new VolumeManager({
    runtime: new FakeContainerRuntime(clock),
    client,
    dataDir,
    nodeName: 'node-1',
    mounter,
    clock,
    log,
  });
  client.seed(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'shop' },
    type: 'Opaque',
    data: { password: b64(VALUE), user: b64('admin') },
  });
  client.seed(CONFIGMAPS, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cfg', namespace: 'shop' },
    data: { 'app.conf': 'x=1' },
    binaryData: { 'logo.bin': b64('PNG') },
  });
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function pod(volumes: Volume[]): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', uid: UID },
    spec: { containers: [{ name: 'app', image: 'busybox:1' }], volumes },
  };
}
const secretDir = (name = 'sec') => secretVolumePath(dataDir, UID, name);
const cmDir = (name = 'cfg') => configMapVolumePath(dataDir, UID, name);
const setUp = async (p: Pod) => vm.setUp(p, planVolumes(p, dataDir));
const refresh = async (p: Pod) => vm.refresh(p, planVolumes(p, dataDir));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('configMap and secret volumes', () => {
  it('writes a configMap volume as files (data and binaryData) in a plain directory', async () => {
    await setUp(pod([{ name: 'cfg', configMap: { name: 'cfg', defaultMode: 0o644 } }]));
    expect(readFileSync(join(cmDir(), 'app.conf'), 'utf8')).toBe('x=1');
    expect(readFileSync(join(cmDir(), 'logo.bin'), 'utf8')).toBe('PNG');
    expect(readlinkSync(join(cmDir(), 'app.conf'))).toBe('..data/app.conf');
    expect(mode(join(cmDir(), 'app.conf'))).toBe(0o644);
    expect(mounter.calls).toEqual([]);
  });

  it('mounts a tmpfs on the secret volume before writing the decoded values into it', async () => {
    await setUp(pod([{ name: 'sec', secret: { secretName: 'db', defaultMode: 0o400 } }]));
    expect(mounter.calls).toEqual([`mount tmpfs ${secretDir()}`]);
    expect(readFileSync(join(secretDir(), 'password'), 'utf8')).toBe(VALUE);
    expect(mode(join(secretDir(), 'password'))).toBe(0o400);
    // Only root reaches the mount points.
    expect(mode(join(podDir(dataDir, UID), 'volumes', 'secret'))).toBe(0o700);
    // A second setUp (sandbox re-created) mounts nothing more and rewrites nothing.
    await setUp(pod([{ name: 'sec', secret: { secretName: 'db', defaultMode: 0o400 } }]));
    expect(mounter.calls).toHaveLength(1);
  });

  it('maps items to paths and modes', async () => {
    await setUp(
      pod([
        {
          name: 'sec',
          secret: {
            secretName: 'db',
            defaultMode: 0o440,
            items: [
              { key: 'password', path: 'db/pw', mode: 0o400 },
              { key: 'user', path: 'user.txt' },
            ],
          },
        },
      ]),
    );
    expect(readFileSync(join(secretDir(), 'db/pw'), 'utf8')).toBe(VALUE);
    expect(mode(join(secretDir(), 'db/pw'))).toBe(0o400);
    expect(mode(join(secretDir(), 'user.txt'))).toBe(0o440);
    expect(existsSync(join(secretDir(), 'password'))).toBe(false);
  });

  it('fails a missing object or key with the kubelet message; an optional volume is empty instead', async () => {
    const missing = pod([{ name: 'sec', secret: { secretName: 'nope' } }]);
    await expect(setUp(missing)).rejects.toThrow(new VolumeSetupError('sec', 'secret "nope" not found'));
    await expect(setUp(pod([{ name: 'cfg', configMap: { name: 'nope' } }]))).rejects.toThrow(
      'configmap "nope" not found',
    );
    await expect(
      setUp(pod([{ name: 'sec', secret: { secretName: 'db', items: [{ key: 'x', path: 'x' }] } }])),
    ).rejects.toThrow('references non-existent secret key: x');
    await setUp(pod([{ name: 'opt', secret: { secretName: 'nope', optional: true } }]));
    expect(readlinkSync(join(secretDir('opt'), '..data'))).toMatch(/^\.\.2026_11_30_04_59_00\.123\./);
  });

  it('names the object when the API fails, and keeps the failure on the volume', async () => {
    client.failNext('get', new ApiError(403, 'Forbidden', 'secrets "db" is forbidden'), 'secrets');
    const err = await setUp(pod([{ name: 'sec', secret: { secretName: 'db' } }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeSetupError);
    expect((err as VolumeSetupError).volume).toBe('sec');
    expect((err as Error).message).toBe('couldn\'t get secret shop/db: secrets "db" is forbidden');
  });

  it('refresh follows updates to the object, keeps the last content when it goes away, and never logs values', async () => {
    const p = pod([
      { name: 'sec', secret: { secretName: 'db' } },
      { name: 'cfg', configMap: { name: 'cfg' } },
    ]);
    await setUp(p);
    clock.advance(1000);
    await refresh(p);
    expect(client.actionsOf('get').length).toBe(4); // re-read, nothing rewritten
    const next = `${VALUE}-rotated`;
    await client.patch(SECRETS, 'shop', 'db', 'merge', { data: { password: b64(next) } });
    await client.patch(CONFIGMAPS, 'shop', 'cfg', 'merge', { data: { 'app.conf': 'x=2' } });
    await refresh(p);
    expect(readFileSync(join(secretDir(), 'password'), 'utf8')).toBe(next);
    expect(readFileSync(join(cmDir(), 'app.conf'), 'utf8')).toBe('x=2');

    await client.delete(SECRETS, 'shop', 'db');
    await refresh(p);
    await refresh(p);
    expect(readFileSync(join(secretDir(), 'password'), 'utf8')).toBe(next);
    const warnings = log.records.filter((r) => r.msg.startsWith('refreshing the volume failed'));
    expect(warnings.map((r) => [r.level, r.fields.volume, r.fields.err])).toEqual([
      ['warn', 'sec', 'secret "db" not found'],
      ['debug', 'sec', 'secret "db" not found'],
    ]);
    const logged = JSON.stringify(log.records);
    for (const v of [VALUE, next, b64(VALUE), b64(next), 'x=2']) expect(logged).not.toContain(v);
  });

  it('refresh sets up a volume that never had content, failing like setUp', async () => {
    const p = pod([{ name: 'sec', secret: { secretName: 'late' } }]);
    await expect(refresh(p)).rejects.toThrow('secret "late" not found');
    client.seed(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'late', namespace: 'shop' },
      data: { k: b64('v') },
    });
    await refresh(p);
    expect(readFileSync(join(secretDir(), 'k'), 'utf8')).toBe('v');
  });

  it('clears an unmounted secret directory before mounting (nothing may stay on disk)', async () => {
    mkdirSync(secretDir(), { recursive: true });
    writeFileSync(join(secretDir(), 'stray'), 'x');
    await setUp(pod([{ name: 'sec', secret: { secretName: 'db' } }]));
    expect(existsSync(join(secretDir(), 'stray'))).toBe(false);
    expect(mounter.mounted.has(secretDir())).toBe(true);
  });

  it('tearDown unmounts the tmpfs before removing the pod directory', async () => {
    await setUp(
      pod([
        { name: 'sec', secret: { secretName: 'db' } },
        { name: 'cfg', configMap: { name: 'cfg' } },
      ]),
    );
    await vm.tearDown(UID);
    expect(mounter.calls).toEqual([`mount tmpfs ${secretDir()}`, `umount ${secretDir()}`]);
    expect(mounter.mounted.size).toBe(0);
    expect(existsSync(podDir(dataDir, UID))).toBe(false);
  });

  it('tearDown stops when an unmount fails, leaving the directory for the next attempt', async () => {
    await setUp(pod([{ name: 'sec', secret: { secretName: 'db' } }]));
    mounter.failNext = { op: 'unmount', error: new Error('umount: target is busy') };
    await expect(vm.tearDown(UID)).rejects.toThrow('target is busy');
    expect(lstatSync(join(secretDir(), 'password')).isSymbolicLink()).toBe(true);
    await vm.tearDown(UID);
    expect(existsSync(podDir(dataDir, UID))).toBe(false);
  });
});

describe('timestampDirStamp', () => {
  it('formats like the kubelet (2006_01_02_15_04_05)', () => {
    expect(timestampDirStamp(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('2026_01_02_03_04_05.678');
  });
});
