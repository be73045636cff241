// Sets up and tears down a pod's volumes on this node (the I/O half of pod-volumes.ts): emptyDir directories under
// <dataDir>/pods/<uid>, hostPath checks and creation, tmpfs runtime volumes, PersistentVolumeClaims, and configMap
// and secret volumes (object-volumes.ts), which refresh() keeps up to date while the pod runs. Teardown unmounts the
// pod's tmpfs mounts and removes everything of the pod except claim directories, which belong to the claim.
//
// Claims are bound like a local-path provisioner binds them, without PersistentVolume objects: the first pod to use
// an unbound claim binds it to its node (annotation volume.kubernetes.io/selected-node, status.phase Bound, with the
// requested capacity); a claim bound to another node cannot be used here (the scheduler's volume-binding plugin keeps
// such pods off this node in the first place).
import { promises as fs } from 'node:fs';
import { posix } from 'node:path';
import type { PersistentVolumeClaim, Pod } from '../../src/api/types.js';
import { PERSISTENTVOLUMECLAIMS, type ApiClient } from '../../src/client/api-client.js';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { isApiError } from '../../src/common/errors.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { LABEL_NODE, LABEL_POD_UID, podLabels } from './labels.js';
import { LinuxMounter } from './linux-mounter.js';
import type { Mounter } from './mounter.js';
import { ObjectVolumes } from './object-volumes.js';
import { podDir, type BoundClaim, type PlannedVolume } from './pod-volumes.js';
import { VolumeSetupError } from './volume-setup-error.js';

export { VolumeSetupError };

/** The node a claim is bound to (set by the kubelet that binds it; read by the scheduler). */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

async function kindOf(
  path: string,
): Promise<'dir' | 'file' | 'socket' | 'char' | 'block' | 'other' | undefined> {
  try {
    const st = await fs.stat(path);
    if (st.isDirectory()) return 'dir';
    if (st.isFile()) return 'file';
    if (st.isSocket()) return 'socket';
    if (st.isCharacterDevice()) return 'char';
    if (st.isBlockDevice()) return 'block';
    return 'other';
  } catch {
    return undefined;
  }
}

const HOSTPATH_KIND: Record<string, string> = {
  Directory: 'dir',
  File: 'file',
  Socket: 'socket',
  CharDevice: 'char',
  BlockDevice: 'block',
};

async function setUpHostPath(v: Extract<PlannedVolume, { kind: 'hostPath' }>): Promise<void> {
  const type = v.type;
  if (type === 'DirectoryOrCreate') {
    await fs.mkdir(v.hostPath, { recursive: true, mode: 0o755 });
  } else if (type === 'FileOrCreate') {
    if (!(await kindOf(v.hostPath))) {
      await fs.mkdir(posix.dirname(v.hostPath), { recursive: true });
      await fs.writeFile(v.hostPath, '', { mode: 0o644, flag: 'a' });
    }
  }
  const want =
    HOSTPATH_KIND[type] ?? (type === 'DirectoryOrCreate' ? 'dir' : type === 'FileOrCreate' ? 'file' : '');
  if (!want) return;
  const have = await kindOf(v.hostPath);
  if (have !== want) {
    const what = {
      dir: 'a directory',
      file: 'a file',
      socket: 'a socket',
      char: 'a character device',
      block: 'a block device',
    }[want];
    throw new VolumeSetupError(v.name, `hostPath type check failed: ${v.hostPath} is not ${what}`);
  }
}

export interface VolumeManagerDeps {
  runtime: ContainerRuntime;
  client: ApiClient;
  dataDir: string;
  nodeName: string;
  /** tmpfs mounts for secret volumes; default: mount(8) on this host. */
  mounter?: Mounter;
  clock?: Clock;
  log?: Logger;
}

export class VolumeManager {
  /** The claims each pod (by uid) was found bound to here, so the API is asked once per pod. */
  private readonly claims = new Map<string, Map<string, BoundClaim>>();
  private readonly mounter: Mounter;
  private readonly objects: ObjectVolumes;

  constructor(private readonly deps: VolumeManagerDeps) {
    this.mounter = deps.mounter ?? new LinuxMounter();
    this.objects = new ObjectVolumes({
      client: deps.client,
      mounter: this.mounter,
      clock: deps.clock ?? systemClock,
      log: deps.log ?? silentLogger,
    });
  }

  /**
   * The pod's PersistentVolumeClaims, bound to this node (binding the unbound ones). Throws VolumeSetupError when
   * a claim does not exist, is being deleted or is bound to another node: the pod waits and is retried.
   */
  async resolveClaims(pod: Pod): Promise<Map<string, BoundClaim>> {
    const uid = pod.metadata.uid ?? '';
    const known = this.claims.get(uid) ?? new Map<string, BoundClaim>();
    for (const v of pod.spec.volumes ?? []) {
      const claimName = v.persistentVolumeClaim?.claimName;
      if (claimName === undefined || known.has(claimName)) continue;
      known.set(claimName, await this.bindClaim(pod.metadata.namespace ?? 'default', claimName, v.name));
    }
    if (known.size > 0) this.claims.set(uid, known);
    return known;
  }

  private async bindClaim(namespace: string, name: string, volume: string): Promise<BoundClaim> {
    const { client, nodeName } = this.deps;
    let pvc: PersistentVolumeClaim;
    try {
      pvc = await client.get<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS, namespace, name);
    } catch (err) {
      if (isApiError(err, 'NotFound'))
        throw new VolumeSetupError(volume, `persistentvolumeclaim "${name}" not found`);
      throw new VolumeSetupError(
        volume,
        `error fetching persistentvolumeclaim "${name}": ${(err as Error).message}`,
      );
    }
    if (pvc.metadata.deletionTimestamp)
      throw new VolumeSetupError(volume, `persistentvolumeclaim "${name}" is being deleted`);
    const selected = pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
    if (selected && selected !== nodeName) {
      throw new VolumeSetupError(
        volume,
        `persistentvolumeclaim "${name}" is bound to node "${selected}", not to this node ("${nodeName}")`,
      );
    }
    try {
      if (!selected) {
        // The resourceVersion makes this a compare-and-swap: two nodes binding at once cannot both win.
        pvc = await client.patch<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS, namespace, name, 'merge', {
          metadata: {
            annotations: { [SELECTED_NODE_ANNOTATION]: nodeName },
            resourceVersion: pvc.metadata.resourceVersion,
          },
        });
      }
      if (pvc.status?.phase !== 'Bound') {
        const storage = pvc.spec.resources?.requests?.storage;
        await client.patch(
          PERSISTENTVOLUMECLAIMS,
          namespace,
          name,
          'merge',
          {
            status: {
              phase: 'Bound',
              ...(pvc.spec.accessModes ? { accessModes: pvc.spec.accessModes } : {}),
              ...(storage ? { capacity: { storage } } : {}),
            },
          },
          { subresource: 'status' },
        );
      }
    } catch (err) {
      throw new VolumeSetupError(
        volume,
        `binding persistentvolumeclaim "${name}": ${(err as Error).message}`,
      );
    }
    return { namespace, name, uid: pvc.metadata.uid ?? '' };
  }

  async setUp(pod: Pod, volumes: ReadonlyMap<string, PlannedVolume>): Promise<void> {
    for (const v of volumes.values()) {
      try {
        if (v.kind === 'emptyDir' || v.kind === 'pvc')
          await fs.mkdir(v.hostPath, { recursive: true, mode: 0o777 });
        else if (v.kind === 'hostPath') await setUpHostPath(v);
        else if (v.kind === 'configMap' || v.kind === 'secret') await this.objects.setUp(pod, v);
        else {
          await this.deps.runtime.ensureVolume({
            name: v.volumeName,
            labels: podLabels(this.deps.nodeName, pod),
            tmpfs: { ...(v.sizeBytes ? { sizeBytes: v.sizeBytes } : {}) },
          });
        }
      } catch (err) {
        if (err instanceof VolumeSetupError) throw err;
        throw new VolumeSetupError(v.name, (err as Error).message);
      }
    }
  }

  /**
   * Brings the configMap and secret volumes of a pod that already runs up to date (call on every sync that does not
   * set the volumes up). Throws VolumeSetupError only for a volume that never had content: its containers wait.
   */
  async refresh(pod: Pod, volumes: ReadonlyMap<string, PlannedVolume>): Promise<void> {
    for (const v of volumes.values()) {
      if (v.kind === 'configMap' || v.kind === 'secret') await this.objects.refresh(pod, v);
    }
  }

  /** Directories a container's subPath mounts need (created like the kubelet does). */
  async ensureDirs(paths: string[]): Promise<void> {
    for (const p of paths) if (!(await kindOf(p))) await fs.mkdir(p, { recursive: true, mode: 0o777 });
  }

  /**
   * Unmounts the pod's secret volumes, removes its directory and runtime volumes. Call only when none of its
   * containers exist any more. Claim directories stay: the data belongs to the claim and outlives the pod.
   */
  async tearDown(uid: string): Promise<void> {
    this.claims.delete(uid);
    const dir = podDir(this.deps.dataDir, uid);
    this.objects.forget(dir);
    // Secret tmpfs mounts first (deepest first): removing the directory must never reach into a mount.
    for (const m of await this.mounter.mountPointsUnder(dir)) await this.mounter.unmount(m);
    await fs.rm(dir, { recursive: true, force: true });
    const vols = await this.deps.runtime.listVolumes({
      [LABEL_NODE]: this.deps.nodeName,
      [LABEL_POD_UID]: uid,
    });
    for (const v of vols) await this.deps.runtime.removeVolume(v.name);
  }

  /** Pod uids that still have a directory or a runtime volume on this node. */
  async knownPods(): Promise<Set<string>> {
    const uids = new Set<string>();
    const dirs = await fs.readdir(posix.join(this.deps.dataDir, 'pods')).catch(() => [] as string[]);
    for (const d of dirs) uids.add(d);
    for (const v of await this.deps.runtime.listVolumes({ [LABEL_NODE]: this.deps.nodeName })) {
      if (v.labels[LABEL_POD_UID]) uids.add(v.labels[LABEL_POD_UID]);
    }
    return uids;
  }
}
