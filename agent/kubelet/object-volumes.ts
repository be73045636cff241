// configMap and secret volumes (the kubelet's configmap and secret volume plugins): fetch the object through the API
// — the node authorizer lets a node read only what its own pods use — build the files (volume-payload.ts) and write
// them with the atomic writer. A secret volume's directory is a tmpfs mount point, mounted before anything is
// written into it, so a Secret's value never touches the node's disk; the parent directory is root-only, so other
// users of the node cannot reach it either. Every sync refreshes mounted volumes, so changes to the object show
// up in running containers within a resync period, as Kubernetes' eventually-consistent updates do. Values are
// never logged: only pod, volume and object names.
import { promises as fs } from 'node:fs';
import { posix } from 'node:path';
import type { Secret } from '../../src/api/kinds/secret.js';
import type { ConfigMap, KubeObject, Pod } from '../../src/api/types.js';
import { CONFIGMAPS, type ApiClient, type ResourceRef } from '../../src/client/api-client.js';
import type { Clock } from '../../src/common/clock.js';
import { isApiError } from '../../src/common/errors.js';
import type { Logger } from '../../src/common/logger.js';
import { DATA_DIR_NAME, writeAtomically } from './atomic-writer.js';
import type { Mounter } from './mounter.js';
import type { ObjectVolume } from './pod-volumes.js';
import { configMapFiles, makePayload, PayloadError, secretFiles } from './volume-payload.js';
import { VolumeSetupError } from './volume-setup-error.js';

const SECRETS: ResourceRef = { group: '', version: 'v1', resource: 'secrets' };

/** `2026_11_30_04_59_00.123`: the timestamp part of the atomic writer's directory names (upstream's layout). */
export function timestampDirStamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-30T04:59:00.123Z
  return `${iso.slice(0, 10).replace(/-/g, '_')}_${iso.slice(11, 19).replace(/:/g, '_')}.${iso.slice(20, 23)}`;
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

export interface ObjectVolumesDeps {
  client: ApiClient;
  mounter: Mounter;
  clock: Clock;
  log: Logger;
}

export class ObjectVolumes {
  /** What each volume directory was last written from (object uid, resourceVersion, source), to skip rewrites. */
  private readonly written = new Map<string, string>();
  /** The last refresh failure per volume directory, so a lasting failure is a warning once. */
  private readonly failing = new Map<string, string>();

  constructor(private readonly deps: ObjectVolumesDeps) {}

  /** Sets the volume up for a new sandbox: mount (secrets), fetch, write. Throws VolumeSetupError. */
  async setUp(pod: Pod, v: ObjectVolume): Promise<void> {
    try {
      await this.populate(pod, v);
    } catch (err) {
      if (err instanceof VolumeSetupError) throw err;
      throw new VolumeSetupError(v.name, (err as Error).message);
    }
  }

  /**
   * Brings a volume of a running pod up to date. A volume never populated is set up (and its failure thrown, so
   * containers wait for it); a populated one that cannot be refreshed keeps its last content, as in Kubernetes.
   */
  async refresh(pod: Pod, v: ObjectVolume): Promise<void> {
    if (!(await exists(posix.join(v.hostPath, DATA_DIR_NAME)))) return this.setUp(pod, v);
    try {
      await this.populate(pod, v);
      if (this.failing.delete(v.hostPath)) this.deps.log.info(this.fields(pod, v), 'volume refreshed again');
    } catch (err) {
      const msg = (err as Error).message;
      const level = this.failing.get(v.hostPath) === msg ? 'debug' : 'warn';
      this.failing.set(v.hostPath, msg);
      this.deps.log[level](
        { ...this.fields(pod, v), err: msg },
        'refreshing the volume failed; it keeps its last content',
      );
    }
  }

  /** Forgets the volumes under `dir` (a pod's directory, being removed). */
  forget(dir: string): void {
    for (const m of [this.written, this.failing]) {
      for (const k of m.keys()) if (k.startsWith(`${dir}/`)) m.delete(k);
    }
  }

  private fields(pod: Pod, v: ObjectVolume) {
    return { pod: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`, volume: v.name };
  }

  private async populate(pod: Pod, v: ObjectVolume): Promise<void> {
    if (v.kind === 'secret') await this.ensureTmpfs(v.hostPath);
    else await fs.mkdir(v.hostPath, { recursive: true, mode: 0o755 });
    const obj = await this.fetch(pod, v);
    const fingerprint = JSON.stringify([obj?.metadata.uid, obj?.metadata.resourceVersion, v.source]);
    if (this.written.get(v.hostPath) === fingerprint) return;
    let payload;
    try {
      payload =
        v.kind === 'secret'
          ? makePayload('secret', secretFiles(obj as Secret | null), v.source)
          : makePayload('configmap', configMapFiles(obj as ConfigMap | null), v.source);
    } catch (err) {
      if (err instanceof PayloadError) throw new VolumeSetupError(v.name, err.message);
      throw err;
    }
    const changed = await writeAtomically(v.hostPath, payload, timestampDirStamp(this.deps.clock.now()));
    this.written.set(v.hostPath, fingerprint);
    if (changed) {
      this.deps.log.debug(
        {
          ...this.fields(pod, v),
          object: v.objectName,
          files: payload.size,
          resourceVersion: obj?.metadata.resourceVersion,
        },
        'volume written',
      );
    }
  }

  /**
   * The secret volume's tmpfs, mounted on first use. The mount point's parent is root-only (0700), so only root
   * and the container engine reach the files. Anything found in an unmounted mount point is removed first.
   */
  private async ensureTmpfs(dir: string): Promise<void> {
    if ((await this.deps.mounter.mountPointsUnder(dir)).includes(dir)) return;
    const parent = posix.dirname(dir);
    await fs.mkdir(parent, { recursive: true, mode: 0o700 });
    await fs.chmod(parent, 0o700);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { mode: 0o700 });
    await this.deps.mounter.mountTmpfs(dir);
    this.written.delete(dir);
  }

  /** The object the volume shows; null when it does not exist and the volume is optional. */
  private async fetch(pod: Pod, v: ObjectVolume): Promise<KubeObject | null> {
    const ns = pod.metadata.namespace ?? 'default';
    const what = v.kind === 'secret' ? 'secret' : 'configmap';
    try {
      return await this.deps.client.get(v.kind === 'secret' ? SECRETS : CONFIGMAPS, ns, v.objectName);
    } catch (err) {
      if (isApiError(err, 'NotFound')) {
        if (v.source.optional) return null;
        throw new VolumeSetupError(v.name, `${what} "${v.objectName}" not found`);
      }
      throw new VolumeSetupError(
        v.name,
        `couldn't get ${what} ${ns}/${v.objectName}: ${(err as Error).message}`,
      );
    }
  }
}
