import { describe, expect, it } from 'vitest';
import { sudoUser } from './system-host.js';

describe('the user behind sudo', () => {
  it('owns the lab kubeconfig when sudo says who it is, and nobody else does', () => {
    expect(sudoUser({ SUDO_UID: '1000', SUDO_GID: '1001' })).toEqual({ uid: 1000, gid: 1001 });
    expect(sudoUser({ SUDO_UID: '0', SUDO_GID: '0' })).toBeUndefined();
    expect(sudoUser({})).toBeUndefined();
    expect(sudoUser({ SUDO_UID: 'x', SUDO_GID: '1' })).toBeUndefined();
  });
});
