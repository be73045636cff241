// The host's mount table, as the kubelet's volume code needs it (k8s.io/mount-utils' Interface, cut down to tmpfs):
// secret volumes live on a tmpfs the agent mounts under its data dir, so a Secret's value is never written to the
// node's disk. The adapter is linux-mounter.ts (mount/umount and /proc/self/mountinfo); tests use
// test/fakes/fake-mounter.ts.

export interface Mounter {
  /** Mounts a fresh tmpfs on `target` (an existing directory): root-owned, mode 0755, nosuid, nodev. */
  mountTmpfs(target: string): Promise<void>;
  /** Unmounts whatever is mounted on `target`. */
  unmount(target: string): Promise<void>;
  /** Mount points at or under `dir`, deepest first. */
  mountPointsUnder(dir: string): Promise<string[]>;
}
