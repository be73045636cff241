// Joining the cluster (kubeadm's discovery + TLS bootstrap, k3s's agent token): the first time an agent starts, it
//   1. learns the cluster CA: from --ca-file, or from GET /skiff/v1/cluster-info (read without verification, then
//      pinned by --ca-cert-hash sha256:<SPKI hash> — trust on first use with a warning when no hash is given),
//   2. makes its own key and a CSR, and exchanges its join token for a node credential at POST /skiff/v1/join —
//      now over TLS verified with that CA: a node token (user system:node:<name>) and a serving certificate,
//   3. keeps them under <data-dir> (pki/ 0700: ca.crt, agent.crt, agent.key 0600; node-token 0600).
// Later starts use the saved credential and need no join token. When a join token is given anyway and the saved
// credential no longer works (the master's data was reset: 401, or a CA the master no longer uses), it joins again.
// The master being unreachable is waited out; a refused join token (expired, revoked, wrong: 401) and a CA that does
// not match the pin are errors.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpApiClient } from '../src/client/http-api-client.js';
import type { Clock } from '../src/common/clock.js';
import { ApiError, isApiError } from '../src/common/errors.js';
import type { Logger } from '../src/common/logger.js';
import { nodeUserName } from '../src/apiserver/auth/identities.js';
import {
  caCertHash,
  certificateInfo,
  generatePrivateKey,
  isIssuedBy,
  keyMatchesCertificate,
} from '../src/apiserver/auth/cert-info.js';
import type { AgentServingTls } from './kubelet/server-auth.js';

export interface NodeCredentials {
  nodeName: string;
  /** Bearer token for the API server (user system:node:<name>). */
  token: string;
  /** PEM of the cluster CA: verifies the master, and the master's client certificate on the agent API. */
  caPem: string;
  /** The agent API's serving material. */
  serving: AgentServingTls;
}

export interface JoinOptions {
  masterUrl: string;
  nodeName: string;
  dataDir: string;
  /** `<id>.<secret>` from `skiff token create --join` (an admin token works too). */
  joinToken?: string;
  /** `sha256:<hex>` of the CA's public key (`skiff token create --join` prints it). */
  caCertHash?: string;
  /** The CA certificate itself (--ca-file), instead of discovering it. */
  caPem?: string;
  clock: Clock;
  logger: Logger;
}

const FILES = {
  dir: 'pki',
  ca: 'pki/ca.crt',
  cert: 'pki/agent.crt',
  key: 'pki/agent.key',
  token: 'node-token',
};

interface JoinResponse {
  nodeName?: string;
  token?: string;
  certificateAuthority?: string;
  certificate?: string;
}

function writeFile(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** The credential saved by an earlier join, if it is whole and consistent. */
export function readSavedCredentials(dataDir: string): NodeCredentials | undefined {
  const path = (f: string) => join(dataDir, f);
  if (![FILES.ca, FILES.cert, FILES.key, FILES.token].every((f) => existsSync(path(f)))) return undefined;
  const caPem = readFileSync(path(FILES.ca), 'utf8');
  const cert = readFileSync(path(FILES.cert), 'utf8');
  const key = readFileSync(path(FILES.key), 'utf8');
  const token = readFileSync(path(FILES.token), 'utf8').trim();
  if (!token || !keyMatchesCertificate(cert, key) || !isIssuedBy(cert, caPem)) return undefined;
  const cn = certificateInfo(cert).commonName;
  const prefix = nodeUserName('');
  if (!cn.startsWith(prefix)) return undefined;
  return { nodeName: cn.slice(prefix.length), token, caPem, serving: { ca: caPem, cert, key } };
}

export function saveCredentials(dataDir: string, creds: NodeCredentials): void {
  const dir = join(dataDir, FILES.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFile(join(dataDir, FILES.key), creds.serving.key, 0o600);
  writeFile(join(dataDir, FILES.cert), creds.serving.cert, 0o644);
  writeFile(join(dataDir, FILES.ca), creds.caPem, 0o644);
  writeFile(join(dataDir, FILES.token), `${creds.token}\n`, 0o600);
}

/** Codes Node's TLS layer gives a certificate that does not verify: waiting does not help, the setup is wrong. */
const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

function tlsVerifyCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string } })?.cause;
  return cause?.code && TLS_VERIFY_CODES.has(cause.code) ? cause.code : undefined;
}

/** Unreachable or busy: worth waiting for. */
function isTransient(err: unknown): boolean {
  return isApiError(err) && (err.code === 503 || err.code >= 500) && tlsVerifyCode(err) === undefined;
}

function describeTlsFailure(code: string, masterUrl: string): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const host = new URL(masterUrl).hostname;
    return `the master's certificate does not name ${host}: use an address it names, or add --tls-san ${host} to skiff master`;
  }
  return `the master's certificate is not signed by the cluster CA the agent trusts (${code})`;
}

async function retrying<T>(opts: JoinOptions, what: string, fn: () => Promise<T>): Promise<T> {
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await fn();
    } catch (err) {
      const code = tlsVerifyCode(err);
      if (code) throw new Error(`${what}: ${describeTlsFailure(code, opts.masterUrl)}`, { cause: err });
      if (!isTransient(err)) throw err;
      opts.logger.warn(
        { err: (err as Error).message, retryInMs: delay },
        `${what}: master not reachable yet`,
      );
      await opts.clock.sleep(delay);
    }
  }
}

/** The cluster CA: given, or fetched and checked against the pinned hash. */
async function discoverCa(opts: JoinOptions): Promise<string | undefined> {
  if (opts.caPem) {
    if (opts.caCertHash && caCertHash(opts.caPem) !== opts.caCertHash.toLowerCase()) {
      throw new Error(`the CA in --ca-file has hash ${caCertHash(opts.caPem)}, not ${opts.caCertHash}`);
    }
    return opts.caPem;
  }
  if (new URL(opts.masterUrl).protocol !== 'https:') return undefined;
  // Read without verification: the hash pin (or trust on first use) is what makes this CA trusted.
  const client = new HttpApiClient({
    server: opts.masterUrl,
    insecureSkipTLSVerify: true,
    requestTimeoutMs: 10_000,
  });
  try {
    const info = await retrying(opts, 'fetching the cluster CA', async () => {
      const res = await client.rawRequest('GET', '/skiff/v1/cluster-info');
      if (res.status !== 200) throw new ApiError(res.status, 'InternalError', res.body.toString('utf8'));
      return JSON.parse(res.body.toString('utf8')) as { certificateAuthority?: string };
    });
    const ca = info.certificateAuthority;
    if (!ca || !ca.includes('BEGIN CERTIFICATE')) throw new Error('the master sent no CA certificate');
    const hash = caCertHash(ca);
    if (opts.caCertHash) {
      if (hash !== opts.caCertHash.toLowerCase()) {
        throw new Error(
          `the master's CA has hash ${hash}, not the pinned ${opts.caCertHash}: refusing to join (wrong master, or someone in between)`,
        );
      }
    } else {
      opts.logger.warn(
        { caCertHash: hash },
        'joining without --ca-cert-hash: trusting the CA the master sent on first use; pin it with --ca-cert-hash',
      );
    }
    return ca;
  } finally {
    client.close();
  }
}

/** Exchanges the join token for this node's credential. */
export async function joinCluster(opts: JoinOptions): Promise<NodeCredentials> {
  const ca = await discoverCa(opts);
  const key = generatePrivateKey();
  // The certificate writer is loaded only to join (it costs ~17 MiB; a joined agent never needs it).
  const { createCertificateRequest } = await import('../src/apiserver/auth/pki.js');
  const csr = await createCertificateRequest(key, nodeUserName(opts.nodeName));
  const client = new HttpApiClient({
    server: opts.masterUrl,
    token: opts.joinToken,
    ca,
    requestTimeoutMs: 30_000,
  });
  let res: JoinResponse;
  try {
    res = await retrying(opts, 'joining the cluster', async () => {
      const r = await client.rawRequest('POST', '/skiff/v1/join', {
        body: { nodeName: opts.nodeName, certificateRequest: csr },
      });
      if (r.status === 401) {
        throw new Error(
          'the master refused the join token (401 Unauthorized: expired, revoked or mistyped); make a new one with `skiff token create --join`',
        );
      }
      if (r.status !== 201 && r.status !== 200) {
        const text = r.body.toString('utf8');
        let message = text;
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? text;
        } catch {
          // not a Status
        }
        throw new ApiError(r.status, 'InternalError', `joining failed (HTTP ${r.status}): ${message}`);
      }
      return JSON.parse(r.body.toString('utf8')) as JoinResponse;
    });
  } finally {
    client.close();
  }
  const caPem = res.certificateAuthority ?? '';
  if (ca && caCertHash(caPem) !== caCertHash(ca)) throw new Error('the join answer names a different CA');
  if (!ca && opts.caCertHash && caCertHash(caPem) !== opts.caCertHash.toLowerCase()) {
    throw new Error(`the master's CA has hash ${caCertHash(caPem)}, not the pinned ${opts.caCertHash}`);
  }
  const cert = res.certificate ?? '';
  if (!res.token || !keyMatchesCertificate(cert, key) || !isIssuedBy(cert, caPem)) {
    throw new Error('the master answered the join with an unusable credential');
  }
  opts.logger.info({ node: opts.nodeName, caCertHash: caCertHash(caPem) }, 'joined the cluster');
  return { nodeName: opts.nodeName, token: res.token, caPem, serving: { ca: caPem, cert, key } };
}

/** Whether the saved credential still authenticates (false: refused or a CA the master no longer uses). */
async function stillAccepted(opts: JoinOptions, saved: NodeCredentials): Promise<boolean> {
  const client = new HttpApiClient({
    server: opts.masterUrl,
    token: saved.token,
    ca: saved.caPem,
    requestTimeoutMs: 10_000,
  });
  try {
    const res = await client.rawRequest('GET', '/api');
    return res.status !== 401;
  } catch (err) {
    // Unreachable: keep what we have (the agent retries on its own); unverifiable: the master has a new CA.
    return tlsVerifyCode(err) === undefined;
  } finally {
    client.close();
  }
}

/** The node's credential: the saved one, or a new one from joining (then saved). */
export async function ensureNodeCredentials(opts: JoinOptions): Promise<NodeCredentials> {
  const saved = readSavedCredentials(opts.dataDir);
  if (saved && saved.nodeName === opts.nodeName) {
    if (!opts.joinToken || (await stillAccepted(opts, saved))) return saved;
    opts.logger.warn(
      { node: opts.nodeName },
      'the saved node credential is no longer accepted: joining again',
    );
  } else if (saved) {
    opts.logger.warn(
      { saved: saved.nodeName, node: opts.nodeName },
      'the saved node credential is for another node name: joining again',
    );
  }
  if (!opts.joinToken && new URL(opts.masterUrl).protocol === 'https:') {
    throw new Error(
      `no node credential in ${opts.dataDir} yet: start the agent once with --token <join token> ` +
        '(on the master: skiff token create --join), and --ca-cert-hash to pin the CA',
    );
  }
  const creds = await joinCluster(opts);
  saveCredentials(opts.dataDir, creds);
  return creds;
}
