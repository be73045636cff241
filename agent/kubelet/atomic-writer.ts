// The kubelet's atomic writer (pkg/volume/util/atomic_writer.go), so a container never sees a half-updated
// configMap or secret volume: the files live in a timestamped directory, `..data` is a symlink to it, and each
// user-visible name is a symlink through `..data`:
//   <dir>/password      -> ..data/password
//   <dir>/..data        -> ..2026_11_30_04_59_00.123456789
//   <dir>/..2026_11_30_04_59_00.123456789/password
// An update writes a new timestamped directory and swaps `..data` with one rename(2), which is atomic; then names
// that are gone are unlinked and the old directory is removed. Nothing changes when the files already match.
import { promises as fs } from 'node:fs';
import { posix } from 'node:path';
import { validatePayloadPath, type Payload } from './volume-payload.js';

export const DATA_DIR_NAME = '..data';
const DATA_DIR_TMP_NAME = '..data_tmp';

/** What is in a timestamped directory now: relative path → contents and permission bits. */
async function readTree(root: string, rel = ''): Promise<Payload> {
  const out: Payload = new Map();
  for (const entry of await fs.readdir(posix.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    const full = posix.join(root, p);
    if (entry.isDirectory()) for (const [k, v] of await readTree(root, p)) out.set(k, v);
    else if (entry.isFile()) {
      out.set(p, { data: await fs.readFile(full), mode: (await fs.stat(full)).mode & 0o777 });
    }
  }
  return out;
}

function samePayload(a: Payload, b: Payload): boolean {
  if (a.size !== b.size) return false;
  for (const [p, f] of a) {
    const g = b.get(p);
    if (!g || g.mode !== f.mode || !g.data.equals(f.data)) return false;
  }
  return true;
}

async function readlinkOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await fs.readlink(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The top-level names a payload shows in the volume (`a/b/c` shows `a`). */
function visibleNames(paths: Iterable<string>): Set<string> {
  return new Set([...paths].map((p) => p.split('/')[0]));
}

/**
 * Makes `dir` (an existing directory) show exactly `payload`. `stamp` names the new timestamped directory (e.g.
 * `2026_11_30_04_59_00.123`). Returns whether anything was written.
 */
export async function writeAtomically(dir: string, payload: Payload, stamp: string): Promise<boolean> {
  for (const p of payload.keys()) validatePayloadPath(p);
  const dataLink = posix.join(dir, DATA_DIR_NAME);
  const oldTs = await readlinkOrUndefined(dataLink);
  const old = oldTs ? await readTree(posix.join(dir, oldTs)).catch(() => undefined) : undefined;
  const wanted = visibleNames(payload.keys());

  if (!old || !samePayload(old, payload)) {
    // mkdtemp creates 0700; group and others must be able to traverse the tree, whatever the umask.
    const tsDir = await fs.mkdtemp(posix.join(dir, `..${stamp}.`));
    await fs.chmod(tsDir, 0o755);
    for (const [p, file] of payload) {
      const full = posix.join(tsDir, p);
      await fs.mkdir(posix.dirname(full), { recursive: true, mode: 0o755 });
      await fs.writeFile(full, file.data, { mode: file.mode });
      await fs.chmod(full, file.mode);
    }
    const tmpLink = posix.join(dir, DATA_DIR_TMP_NAME);
    await fs.rm(tmpLink, { force: true });
    await fs.symlink(posix.basename(tsDir), tmpLink);
    await fs.rename(tmpLink, dataLink); // the atomic switch
    await removeStale(dir, posix.basename(tsDir), old ? visibleNames(old.keys()) : new Set(), wanted);
    await linkVisible(dir, wanted);
    return true;
  }
  // Unchanged, but repair what an interrupted earlier write may have left undone.
  await linkVisible(dir, wanted);
  return false;
}

/** `<dir>/<name> -> ..data/<name>` for every visible name that has no link yet. */
async function linkVisible(dir: string, names: Set<string>): Promise<void> {
  for (const name of names) {
    const link = posix.join(dir, name);
    if ((await readlinkOrUndefined(link)) === undefined)
      await fs.symlink(posix.join(DATA_DIR_NAME, name), link);
  }
}

/** Unlinks names the new payload no longer shows and every timestamped directory but the current one. */
async function removeStale(
  dir: string,
  currentTs: string,
  before: Set<string>,
  wanted: Set<string>,
): Promise<void> {
  for (const name of before) if (!wanted.has(name)) await fs.rm(posix.join(dir, name), { force: true });
  for (const entry of await fs.readdir(dir)) {
    if (entry.startsWith('..') && entry !== DATA_DIR_NAME && entry !== currentTs) {
      await fs.rm(posix.join(dir, entry), { recursive: true, force: true });
    }
  }
}
