// What the agent needs to check its saved credential, with Node's own X.509 reader only (no @peculiar/x509, which
// pki.ts uses to write certificates and which costs an agent ~17 MiB to load): a new key, a CA's pin hash, what a
// certificate says, who signed it and whether a key belongs to it. pki.ts re-exports all of it.
import { X509Certificate as NodeX509, createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { normalizeIp } from './sans.js';

/** A new ECDSA P-256 private key as PKCS#8 PEM. */
export function generatePrivateKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/**
 * kubeadm's --discovery-token-ca-cert-hash: `sha256:` and the hex SHA-256 of the CA certificate's
 * SubjectPublicKeyInfo (DER). `openssl x509 -pubkey -in ca.crt | openssl pkey -pubin -outform der | sha256sum`.
 */
export function caCertHash(caPem: string): string {
  const spki = new NodeX509(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

export interface CertificateInfo {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  notAfter: number;
}

/** What a PEM certificate says about itself (Node's own parser). */
export function certificateInfo(pem: string): CertificateInfo {
  const cert = new NodeX509(pem);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? '';
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dnsNames.push(entry.slice(4));
    else if (entry.startsWith('IP Address:')) ipAddresses.push(normalizeIp(entry.slice(11)));
  }
  return { commonName: cn, dnsNames, ipAddresses, notAfter: Date.parse(cert.validTo) };
}

/** True when `certPem` was signed by `caPem`'s key. */
export function isIssuedBy(certPem: string, caPem: string): boolean {
  try {
    const ca = new NodeX509(caPem);
    const cert = new NodeX509(certPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** True when the private key belongs to the certificate. */
export function keyMatchesCertificate(certPem: string, keyPem: string): boolean {
  try {
    return new NodeX509(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}
