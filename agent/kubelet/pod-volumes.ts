// Where a pod's volumes live on the node and how containers mount them (pure; volume-manager.ts does the I/O).
//   emptyDir                 a host directory <dataDir>/pods/<uid>/volumes/empty-dir/<name>, shared by the
//                            pod's containers, removed with the pod
//   emptyDir medium: Memory  a tmpfs runtime volume the sandbox keeps mounted, so it lives as long as the pod
//   hostPath                 a bind mount of the host path (created for DirectoryOrCreate / FileOrCreate)
//   persistentVolumeClaim    a host directory <dataDir>/volumes/pvc/<namespace>/<claim>-<claim uid> (a local-path
//                            volume, like rancher's local-path-provisioner): created on first use and never removed
//                            with a pod, so a StatefulSet pod recreated on this node finds its data again
//   configMap                a host directory <dataDir>/pods/<uid>/volumes/configmap/<name>, filled by the atomic
//                            writer (one file per key or item) and kept up to date; mounted read-only
//   secret                   the same under volumes/secret/<name>, but that directory is a tmpfs mount point: the
//                            values live in memory only, never on the node's disk; mounted read-only
import { posix } from 'node:path';
import { parseQuantity } from '../../src/api/quantity.js';
import type { Container, Pod, Volume } from '../../src/api/types.js';
import type { MountSpec } from '../runtime/container-runtime.js';
import { ContainerConfigError } from './container-env.js';
import type { ConfigMapVolumeSource, SecretVolumeSource } from './volume-payload.js';

export type PlannedVolume =
  | { kind: 'emptyDir'; name: string; hostPath: string }
  | { kind: 'tmpfs'; name: string; volumeName: string; sizeBytes?: number }
  | { kind: 'hostPath'; name: string; hostPath: string; type: string }
  | { kind: 'pvc'; name: string; claimName: string; hostPath: string; readOnly: boolean }
  | { kind: 'configMap'; name: string; hostPath: string; objectName: string; source: ConfigMapVolumeSource }
  | { kind: 'secret'; name: string; hostPath: string; objectName: string; source: SecretVolumeSource };

/** The volumes whose files come from an API object. */
export type ObjectVolume = Extract<PlannedVolume, { kind: 'configMap' | 'secret' }>;

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

/** Where a configMap volume's files live (a plain directory). */
export function configMapVolumePath(dataDir: string, uid: string, name: string): string {
  return posix.join(podDir(dataDir, uid), 'volumes', 'configmap', name);
}

/** Where a secret volume's files live: a tmpfs mount point. */
export function secretVolumePath(dataDir: string, uid: string, name: string): string {
  return posix.join(podDir(dataDir, uid), 'volumes', 'secret', name);
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

const SOURCES_NOT_SUPPORTED = ['projected', 'downwardAPI', 'nfs', 'csi'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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
  if (isObject(v.configMap)) {
    const source = v.configMap as ConfigMapVolumeSource;
    return {
      kind: 'configMap',
      name: v.name,
      hostPath: configMapVolumePath(dataDir, uid, v.name),
      objectName: String(source.name ?? ''),
      source,
    };
  }
  if (isObject(v.secret)) {
    const source = v.secret as SecretVolumeSource;
    return {
      kind: 'secret',
      name: v.name,
      hostPath: secretVolumePath(dataDir, uid, v.name),
      objectName: String(source.secretName ?? ''),
      source,
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
    // Kubernetes mounts configMap and secret volumes read-only, whatever the mount says.
    const objectVolume = v.kind === 'configMap' || v.kind === 'secret';
    return { type: 'bind', source, target: m.mountPath, readOnly: readOnly || objectVolume };
  });
}

/**
 * The host paths containers bind-mount through subPath, which must exist before the container is created. Not in
 * configMap and secret volumes: their content is the atomic writer's alone (a missing key there fails the mount).
 */
export function subPathDirs(c: Container, volumes: ReadonlyMap<string, PlannedVolume>): string[] {
  const out: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!m.subPath || !v || v.kind === 'tmpfs' || v.kind === 'configMap' || v.kind === 'secret') continue;
    out.push(posix.join(v.hostPath, safeSubPath(m.subPath)));
  }
  return out;
}
