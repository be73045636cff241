// Sets up and tears down a pod's volumes on this node (the I/O half of pod-volumes.ts): emptyDir directories under
// <dataDir>/pods/<uid>, hostPath checks and creation, tmpfs runtime volumes. Teardown removes everything of the pod.
import { promises as fs } from 'node:fs';
import { posix } from 'node:path';
import type { Pod } from '../../src/api/types.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { LABEL_NODE, LABEL_POD_UID, podLabels } from './labels.js';
import { podDir, type PlannedVolume } from './pod-volumes.js';

/** A volume that could not be set up (reported as a FailedMount event; the pod waits in ContainerCreating). */
export class VolumeSetupError extends Error {
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super(message);
    this.name = 'VolumeSetupError';
  }
}

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

export class VolumeManager {
  constructor(private readonly deps: { runtime: ContainerRuntime; dataDir: string; nodeName: string }) {}

  async setUp(pod: Pod, volumes: ReadonlyMap<string, PlannedVolume>): Promise<void> {
    for (const v of volumes.values()) {
      try {
        if (v.kind === 'emptyDir') await fs.mkdir(v.hostPath, { recursive: true, mode: 0o777 });
        else if (v.kind === 'hostPath') await setUpHostPath(v);
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

  /** Directories a container's subPath mounts need (created like the kubelet does). */
  async ensureDirs(paths: string[]): Promise<void> {
    for (const p of paths) if (!(await kindOf(p))) await fs.mkdir(p, { recursive: true, mode: 0o777 });
  }

  /** Removes the pod's directory and runtime volumes. Call only when none of its containers exist any more. */
  async tearDown(uid: string): Promise<void> {
    await fs.rm(podDir(this.deps.dataDir, uid), { recursive: true, force: true });
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
