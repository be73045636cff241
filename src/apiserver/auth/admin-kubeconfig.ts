// The admin credential: an admin token (user skiff-admin) made at the master's first start, stored hashed like every
// token, and written once in clear to <data-dir>/admin.kubeconfig (0600, for root on the master host, like k3s's
// k3s.yaml) together with the server URL and the CA. Later starts keep that token and only refresh the server and
// CA in the file; if the file is gone (or its token no longer works) a new admin token replaces the old one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { loadKubeconfig, renderKubeconfig } from '../../cli/kubeconfig.js';
import { ADMIN_USER } from './identities.js';
import { writePrivateFile } from './master-pki.js';
import type { TokenStore } from './token-store.js';

export const ADMIN_KUBECONFIG = 'admin.kubeconfig';

export interface AdminKubeconfigOptions {
  dataDir: string;
  tokens: TokenStore;
  /** The URL written into the file (https://127.0.0.1:6443 for a master listening on every address). */
  server: string;
  caPem: string;
  logger: Logger;
}

async function usableAdminToken(tokens: TokenStore, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  try {
    const { record } = await tokens.authenticate(token);
    return record.role === 'admin';
  } catch {
    return false;
  }
}

/** Makes sure admin.kubeconfig exists and works; returns its path and the admin token. */
export async function ensureAdminKubeconfig(
  opts: AdminKubeconfigOptions,
): Promise<{ path: string; token: string }> {
  const path = join(opts.dataDir, ADMIN_KUBECONFIG);
  let token: string | undefined;
  if (existsSync(path)) {
    try {
      token = loadKubeconfig([{ path, text: readFileSync(path, 'utf8') }], () => undefined).token;
    } catch {
      token = undefined;
    }
  }
  if (!(await usableAdminToken(opts.tokens, token))) {
    const issued = await opts.tokens.create({
      role: 'admin',
      user: ADMIN_USER,
      description: 'admin credential made by the master (admin.kubeconfig)',
    });
    // Only the newest admin.kubeconfig token stays: a lost file must not leave a working credential behind.
    for (const r of await opts.tokens.list()) {
      if (r.user === ADMIN_USER && r.id !== issued.info.id) await opts.tokens.revoke(r.id);
    }
    token = issued.token;
    opts.logger.info({ path, tokenId: issued.info.id }, 'admin credential created');
  }
  const text = renderKubeconfig({ server: opts.server, name: 'skiff', token, caPem: opts.caPem });
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current !== text) writePrivateFile(path, text, 0o600);
  return { path, token: token! };
}
