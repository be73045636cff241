// The master's certificates on disk, kubeadm's layout under <data-dir>/pki (directory 0700, keys 0600):
//   ca.crt ca.key                                   the cluster CA, made once and kept
//   apiserver.crt apiserver.key                     the HTTPS serving certificate (SANs: see sans.ts)
//   apiserver-kubelet-client.crt …key               the API server's client certificate towards the agents
// Reused at every start; a leaf certificate is made again when it is missing, not from this CA, within 30 days of
// its end, or (the serving one) when the names it must carry changed — a new --tls-san, a new address.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { APISERVER_CN, CA_CN, KUBELET_CLIENT_CN } from './identities.js';
import {
  caCertHash,
  certificateInfo,
  createCertificateAuthority,
  isIssuedBy,
  issueCertificate,
  keyMatchesCertificate,
  LEAF_VALIDITY_DAYS,
  type CertKeyPair,
  type CertificateSpec,
} from './pki.js';
import { sameNames, type SubjectAltNames } from './sans.js';

export const PKI_DIR = 'pki';
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

export interface MasterPki {
  dir: string;
  ca: CertKeyPair;
  apiserver: CertKeyPair;
  kubeletClient: CertKeyPair;
  /** sha256:<hex> of the CA's public key, for `skiff agent --ca-cert-hash`. */
  caCertHash: string;
}

export interface MasterPkiOptions {
  dataDir: string;
  names: SubjectAltNames;
  now: number;
  logger: Logger;
}

/** Writes a file whole (temp + rename) with the given mode. */
export function writePrivateFile(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function readPair(dir: string, base: string): CertKeyPair | undefined {
  const cert = join(dir, `${base}.crt`);
  const key = join(dir, `${base}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

function writePair(dir: string, base: string, pair: CertKeyPair): void {
  writePrivateFile(join(dir, `${base}.key`), pair.keyPem, 0o600);
  writePrivateFile(join(dir, `${base}.crt`), pair.certPem, 0o644);
}

/** Why a stored leaf certificate must be made again, or undefined when it is fine. */
export function leafProblem(
  pair: CertKeyPair | undefined,
  ca: CertKeyPair,
  now: number,
  names?: SubjectAltNames,
): string | undefined {
  if (!pair) return 'missing';
  try {
    if (!keyMatchesCertificate(pair.certPem, pair.keyPem)) return 'its key does not match';
    if (!isIssuedBy(pair.certPem, ca.certPem)) return 'not signed by the cluster CA';
    const info = certificateInfo(pair.certPem);
    if (info.notAfter - now < RENEW_BEFORE_MS) return 'expires within 30 days';
    if (names && !sameNames(info, names)) return 'the names it must carry changed';
  } catch (err) {
    return `unreadable (${(err as Error).message})`;
  }
  return undefined;
}

async function ensureLeaf(
  dir: string,
  base: string,
  ca: CertKeyPair,
  spec: CertificateSpec,
  opts: MasterPkiOptions,
  names?: SubjectAltNames,
): Promise<CertKeyPair> {
  const current = readPair(dir, base);
  const problem = leafProblem(current, ca, opts.now, names);
  if (!problem && current) return current;
  const pair = await issueCertificate(ca, spec, opts.now);
  writePair(dir, base, pair);
  opts.logger.info(
    { cert: join(dir, `${base}.crt`), reason: problem, dns: spec.dnsNames, ips: spec.ipAddresses },
    current ? 'certificate renewed' : 'certificate created',
  );
  return pair;
}

export async function ensureMasterPki(opts: MasterPkiOptions): Promise<MasterPki> {
  const dir = join(opts.dataDir, PKI_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  let ca = readPair(dir, 'ca');
  if (!ca) {
    if (existsSync(join(dir, 'ca.crt')))
      throw new Error(`${join(dir, 'ca.crt')} exists without its key ca.key: cannot sign certificates`);
    ca = await createCertificateAuthority(CA_CN, opts.now);
    writePair(dir, 'ca', ca);
    opts.logger.info({ cert: join(dir, 'ca.crt'), caCertHash: caCertHash(ca.certPem) }, 'cluster CA created');
  } else if (!keyMatchesCertificate(ca.certPem, ca.keyPem)) {
    throw new Error(`${join(dir, 'ca.key')} is not the key of ${join(dir, 'ca.crt')}`);
  }
  const apiserver = await ensureLeaf(
    dir,
    'apiserver',
    ca,
    { commonName: APISERVER_CN, usage: 'server', validityDays: LEAF_VALIDITY_DAYS, ...opts.names },
    opts,
    opts.names,
  );
  const kubeletClient = await ensureLeaf(
    dir,
    'apiserver-kubelet-client',
    ca,
    {
      commonName: KUBELET_CLIENT_CN,
      organization: 'system:masters',
      usage: 'client',
      validityDays: LEAF_VALIDITY_DAYS,
    },
    opts,
  );
  return { dir, ca, apiserver, kubeletClient, caCertHash: caCertHash(ca.certPem) };
}
