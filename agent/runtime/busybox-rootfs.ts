// A root filesystem made of the host's static busybox (Debian's busybox-static), as a tar stream for
// `docker import`. No registry is reachable on our machines, so the pause image and the test/sample images are
// built from it locally (shared/NETLAB.md §2.3).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import type { ContainerRuntime } from './container-runtime.js';

export const DEFAULT_BUSYBOX = '/bin/busybox';

export interface RootfsFile {
  path: string;
  content: string | Buffer;
  mode?: number;
}

export interface BusyboxRootfsOptions {
  busyboxPath?: string;
  /** Link every busybox applet into /bin (sh, sleep, wget, httpd, …). */
  applets: boolean;
  files?: RootfsFile[];
}

function readBusybox(path: string): Buffer {
  if (!existsSync(path)) {
    throw new Error(
      `${path} not found: skiff builds its pause and test images from a static busybox; install it with ` +
        '`apt-get install busybox-static` (or pass another image with --pause-image)',
    );
  }
  return readFileSync(path);
}

/**
 * The applets a busybox binary offers (`busybox --list`). Runs the host binary once, at image build time:
 * the only way to learn its applet set, which differs between builds.
 */
export function busyboxApplets(path = DEFAULT_BUSYBOX): string[] {
  const out = execFileSync(path, ['--list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[\w.[-]+$/.test(s) && s !== 'busybox');
}

/** A tar of /bin/busybox (+ applet links), /etc/passwd, /etc/group, /tmp and the extra files. */
export function busyboxRootfsTar(opts: BusyboxRootfsOptions): Readable {
  const path = opts.busyboxPath ?? DEFAULT_BUSYBOX;
  const binary = readBusybox(path);
  const applets = opts.applets ? busyboxApplets(path) : [];
  const pack = tar.pack();
  const mtime = new Date(0);
  pack.entry({ name: 'bin', type: 'directory', mode: 0o755, mtime });
  pack.entry({ name: 'etc', type: 'directory', mode: 0o755, mtime });
  pack.entry({ name: 'tmp', type: 'directory', mode: 0o1777, mtime });
  pack.entry({ name: 'bin/busybox', mode: 0o755, size: binary.length, mtime }, binary);
  for (const a of applets) pack.entry({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox', mtime });
  pack.entry(
    { name: 'etc/passwd', mode: 0o644, mtime },
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n',
  );
  pack.entry({ name: 'etc/group', mode: 0o644, mtime }, 'root:x:0:\nnogroup:x:65534:\n');
  for (const f of opts.files ?? []) {
    pack.entry({ name: f.path.replace(/^\//, ''), mode: f.mode ?? 0o644, mtime }, f.content);
  }
  pack.finalize();
  // tar-stream packs are streamx streams; hand out a plain Node stream.
  const out = new PassThrough();
  pack.pipe(out);
  return out;
}

/** Imports a busybox image with every applet linked, PATH=/bin and `sh` as the default command. */
export async function importBusyboxImage(
  runtime: Pick<ContainerRuntime, 'importImage'>,
  ref: string,
  opts: { busyboxPath?: string; files?: RootfsFile[]; changes?: string[] } = {},
): Promise<void> {
  const tarStream = busyboxRootfsTar({ busyboxPath: opts.busyboxPath, applets: true, files: opts.files });
  await runtime.importImage(tarStream, ref, ['ENV PATH=/bin', 'CMD ["sh"]', ...(opts.changes ?? [])]);
}
