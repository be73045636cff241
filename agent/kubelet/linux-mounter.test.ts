import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../network/command.js';
import { LinuxMounter } from './linux-mounter.js';

const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '90 22 0:50 / /var/lib/skiff/agent/pods/u1/volumes/secret/a rw,nosuid,nodev shared:50 - tmpfs tmpfs rw,mode=755',
  '91 22 0:51 / /var/lib/skiff/agent/pods/u1/volumes/secret/with\\040space rw shared:51 - tmpfs tmpfs rw',
  '92 22 0:52 / /var/lib/skiff/agent/pods/u2/volumes/secret/b rw shared:52 - tmpfs tmpfs rw',
  '93 22 0:53 / /var/lib/skiff/agent/pods/u10 rw shared:53 - tmpfs tmpfs rw',
  '',
].join('\n');

function recorder(code = 0) {
  const calls: string[] = [];
  const run = async (cmd: string, args: string[]): Promise<CommandResult> => {
    calls.push([cmd, ...args].join(' '));
    return { code, stdout: '', stderr: code ? 'mount: permission denied' : '' };
  };
  return { calls, run };
}

describe('LinuxMounter', () => {
  it('mounts a root-only tmpfs and unmounts it with mount(8) and umount(8)', async () => {
    const { calls, run } = recorder();
    const m = new LinuxMounter(run, async () => '');
    await m.mountTmpfs('/d/secret/a');
    await m.unmount('/d/secret/a');
    expect(calls).toEqual([
      'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /d/secret/a',
      'umount /d/secret/a',
    ]);
  });

  it('reports a failed command', async () => {
    const { run } = recorder(32);
    await expect(new LinuxMounter(run, async () => '').mountTmpfs('/x')).rejects.toThrow(
      'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /x failed (exit 32): mount: permission denied',
    );
  });

  it('lists the mount points under a directory, deepest first, escapes decoded', async () => {
    const m = new LinuxMounter(recorder().run, async () => MOUNTINFO);
    expect(await m.mountPointsUnder('/var/lib/skiff/agent/pods/u1')).toEqual([
      '/var/lib/skiff/agent/pods/u1/volumes/secret/with space',
      '/var/lib/skiff/agent/pods/u1/volumes/secret/a',
    ]);
    expect(await m.mountPointsUnder('/var/lib/skiff/agent/pods/u1/volumes/secret/a')).toEqual([
      '/var/lib/skiff/agent/pods/u1/volumes/secret/a',
    ]);
    expect(await m.mountPointsUnder('/elsewhere')).toEqual([]);
  });

  it('matches through a symlinked data dir and answers in the caller’s terms', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'skiff-mnt-'));
    try {
      mkdirSync(join(tmp, 'real'));
      symlinkSync(join(tmp, 'real'), join(tmp, 'link'));
      const m = new LinuxMounter(recorder().run, async () => `1 1 0:1 / ${tmp}/real/m rw - tmpfs tmpfs rw\n`);
      expect(await m.mountPointsUnder(join(tmp, 'link'))).toEqual([join(tmp, 'link', 'm')]);
      expect(await m.mountPointsUnder(join(tmp, 'real'))).toEqual([join(tmp, 'real', 'm')]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
