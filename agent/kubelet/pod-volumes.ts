// Where a pod's volumes live on the node and how containers mount them (pure; volume-manager.ts does the I/O).
//   emptyDir                 a host directory <dataDir>/pods/<uid>/volumes/empty-dir/<name>, shared by the
//                            pod's containers, removed with the pod
//   emptyDir medium: Memory  a tmpfs runtime volume the sandbox keeps mounted, so it lives as long as the pod
//   hostPath                 a bind mount of the host path (created for DirectoryOrCreate / FileOrCreate)
//   persistentVolumeClaim    a host directory <dataDir>/volumes/pvc/<namespace>/<claim>-<claim uid> (a local-path
//                            volume, like rancher's local-path-provisioner): created on first use and never removed
//                            with a pod, so a StatefulSet pod recreated on this node finds its data again
import { posix } from 'node:path';
import { parseQuantity } from '../../src/api/quantity.js';
import type { Container, Pod, Volume } from '../../src/api/types.js';
import type { MountSpec } from '../runtime/container-runtime.js';
import { ContainerConfigError } from './container-env.js';

export type PlannedVolume =
  | { kind: 'emptyDir'; name: string; hostPath: string }
  | { kind: 'tmpfs'; name: string; volumeName: string; sizeBytes?: number }
  | { kind: 'hostPath'; name: string; hostPath: string; type: string }
  | { kind: 'pvc'; name: string; claimName: string; hostPath: string; readOnly: boolean };

/** A claim the volume manager has found bound to this node (see VolumeManager.resolveClaims). */
export interface BoundClaim {
  namespace: string;
  name: string;
  uid: string;
}

export function podDir(dataDir: string, uid: string): string {
  return posix.join(dataDir, 'pods', uid);
}

export function emptyDirPath(dataDir: string, uid: string, name: string): string {
  return posix.join(podDir(dataDir, uid), 'volumes', 'empty-dir', name);
}

/** The directory behind a PersistentVolumeClaim: one per claim (its uid tells a re-created claim apart). */
export function claimVolumePath(dataDir: string, claim: BoundClaim): string {
  return posix.join(dataDir, 'volumes', 'pvc', claim.namespace, `${claim.name}-${claim.uid}`);
}

export function tmpfsVolumeName(uid: string, name: string): string {
  return `skiff-${uid}-${name}`;
}

/** Where the sandbox holds tmpfs volumes open (never seen by app containers). */
export function sandboxHoldPath(name: string): string {
  return `/.skiff-volumes/${name}`;
}

const SOURCES_NOT_SUPPORTED = ['configMap', 'secret', 'projected', 'downwardAPI', 'nfs', 'csi'];

function planOne(
  pod: Pod,
  v: Volume,
  dataDir: string,
  claims: ReadonlyMap<string, BoundClaim>,
): PlannedVolume {
  const uid = pod.metadata.uid ?? '';
  if (v.hostPath)
    return { kind: 'hostPath', name: v.name, hostPath: v.hostPath.path, type: v.hostPath.type ?? '' };
  if (v.persistentVolumeClaim) {
    const claimName = v.persistentVolumeClaim.claimName;
    const claim = claims.get(claimName);
    if (!claim)
      throw new ContainerConfigError(
        `volume "${v.name}": persistentvolumeclaim "${claimName}" is not bound here`,
      );
    return {
      kind: 'pvc',
      name: v.name,
      claimName,
      hostPath: claimVolumePath(dataDir, claim),
      readOnly: v.persistentVolumeClaim.readOnly ?? false,
    };
  }
  if (v.emptyDir && v.emptyDir.medium === 'Memory') {
    const size = v.emptyDir.sizeLimit ? parseQuantity(v.emptyDir.sizeLimit) : undefined;
    return {
      kind: 'tmpfs',
      name: v.name,
      volumeName: tmpfsVolumeName(uid, v.name),
      ...(size && size > 0 ? { sizeBytes: Math.ceil(size) } : {}),
    };
  }
  const other = SOURCES_NOT_SUPPORTED.find((s) => (v as unknown as Record<string, unknown>)[s] !== undefined);
  if (other)
    throw new ContainerConfigError(`volume "${v.name}": ${other} volumes are not supported by skiff yet`);
  return { kind: 'emptyDir', name: v.name, hostPath: emptyDirPath(dataDir, uid, v.name) };
}

/**
 * The pod's volumes by name; `claims` are its PersistentVolumeClaims bound to this node, by claim name. Throws
 * ContainerConfigError for a source skiff cannot provide.
 */
export function planVolumes(
  pod: Pod,
  dataDir: string,
  claims: ReadonlyMap<string, BoundClaim> = new Map(),
): Map<string, PlannedVolume> {
  return new Map((pod.spec.volumes ?? []).map((v) => [v.name, planOne(pod, v, dataDir, claims)]));
}

function safeSubPath(subPath: string): string {
  const normal = posix.normalize(subPath);
  if (posix.isAbsolute(subPath) || normal === '..' || normal.startsWith('../')) {
    throw new ContainerConfigError(`subPath "${subPath}" must be a relative path without '..'`);
  }
  return normal;
}

/** A container's mounts. Throws ContainerConfigError for unknown volumes or unsupported subPaths. */
export function containerMounts(c: Container, volumes: ReadonlyMap<string, PlannedVolume>): MountSpec[] {
  return (c.volumeMounts ?? []).map((m) => {
    const v = volumes.get(m.name);
    if (!v) throw new ContainerConfigError(`unable to find volume "${m.name}" for container "${c.name}"`);
    // A claim mounted readOnly in the pod's volume is read-only in every container.
    const readOnly = (m.readOnly ?? false) || (v.kind === 'pvc' && v.readOnly);
    if (v.kind === 'tmpfs') {
      if (m.subPath)
        throw new ContainerConfigError(`subPath is not supported for memory-backed emptyDir "${v.name}"`);
      return { type: 'volume', source: v.volumeName, target: m.mountPath, readOnly };
    }
    const source = m.subPath ? posix.join(v.hostPath, safeSubPath(m.subPath)) : v.hostPath;
    return { type: 'bind', source, target: m.mountPath, readOnly };
  });
}

/** The host paths containers bind-mount through subPath, which must exist before the container is created. */
export function subPathDirs(c: Container, volumes: ReadonlyMap<string, PlannedVolume>): string[] {
  const out: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (m.subPath && v && v.kind !== 'tmpfs') out.push(posix.join(v.hostPath, safeSubPath(m.subPath)));
  }
  return out;
}
