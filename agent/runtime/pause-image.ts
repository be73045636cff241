// The pause (infra) image: the first container of every pod, which owns the pod's network and IPC namespaces and
// does nothing else. Kubernetes pulls registry.k8s.io/pause; with no registry reachable we build an equivalent
// from the host's static busybox the first time it is missing. Any other name (e.g. registry.k8s.io/pause:3.10
// on an internet-connected host) is pulled instead.
import type { Logger } from '../../src/common/logger.js';
import type { ContainerRuntime } from './container-runtime.js';
import { busyboxRootfsTar, DEFAULT_BUSYBOX } from './busybox-rootfs.js';

export const DEFAULT_PAUSE_IMAGE = 'skiff/pause:3.10';

/** Sleeps forever. The sandbox runs with an init process, which turns SIGTERM into a prompt exit. */
const PAUSE_SCRIPT = '#!/bin/busybox sh\nexec /bin/busybox sleep 2147483647\n';

export function isLocallyBuiltPause(ref: string): boolean {
  return ref.startsWith('skiff/pause:');
}

export async function ensurePauseImage(
  runtime: ContainerRuntime,
  ref: string,
  log: Logger,
  busyboxPath = DEFAULT_BUSYBOX,
): Promise<void> {
  if (await runtime.inspectImage(ref)) return;
  if (!isLocallyBuiltPause(ref)) {
    log.info({ image: ref }, 'pulling pause image');
    await runtime.pullImage(ref);
    return;
  }
  log.info({ image: ref, busybox: busyboxPath }, 'building pause image from the host busybox');
  const tar = busyboxRootfsTar({
    busyboxPath,
    applets: false,
    files: [{ path: '/pause', content: PAUSE_SCRIPT, mode: 0o755 }],
  });
  await runtime.importImage(tar, ref, [
    'ENTRYPOINT ["/pause"]',
    'ENV PATH=/bin',
    'LABEL io.skiff.image=pause',
  ]);
}
