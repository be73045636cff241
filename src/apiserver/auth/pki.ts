// The cluster's X.509 certificates, as kubeadm makes them: a self-signed CA, and certificates it signs for the API
// server (serving), for the API server as a client of the agents, and for each agent (from the agent's own CSR, so its
// private key never leaves the node). Keys are ECDSA P-256 made by Node's crypto; @peculiar/x509 builds and signs the
// certificates (Node can read X.509 but not write it). Everything here is PEM in, PEM out, and the time comes in as
// an argument, so tests need neither files nor a real clock.
import { createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import type { webcrypto as WebCrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  AuthorityKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  cryptoProvider,
  type Extension,
  type JsonGeneralName,
} from '@peculiar/x509';

import { generatePrivateKey } from './cert-info.js';

export {
  caCertHash,
  certificateInfo,
  generatePrivateKey,
  isIssuedBy,
  keyMatchesCertificate,
  type CertificateInfo,
} from './cert-info.js';

cryptoProvider.set(webcrypto as unknown as Parameters<typeof cryptoProvider.set>[0]);

/** A certificate and its private key, both PEM. */
export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

export type CertUsage = 'server' | 'client';

export interface CertificateSpec {
  commonName: string;
  organization?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: CertUsage;
  validityDays: number;
}

export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;
/** Backdating covers small clock differences between the master and the nodes. */
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The WebCrypto algorithms for a PEM key: ECDSA (P-256/384) with SHA-256, or RSA PKCS#1 v1.5 with SHA-256. */
function algorithmsOf(keyPem: string): {
  key: WebCrypto.EcKeyImportParams | WebCrypto.RsaHashedImportParams;
  sign: WebCrypto.EcdsaParams | WebCrypto.Algorithm;
} {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'secp384r1' ? 'P-384' : 'P-256';
    return { key: { name: 'ECDSA', namedCurve }, sign: { name: 'ECDSA', hash: 'SHA-256' } };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { key: alg, sign: alg };
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'} (want EC or RSA)`);
}

async function importKeyPair(keyPem: string): Promise<WebCrypto.CryptoKeyPair> {
  const { key } = algorithmsOf(keyPem);
  const pkcs8 = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, key, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, key, true, ['verify']),
  };
}

/** A positive random serial number (RFC 5280 §4.1.2.2), hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function distinguishedName(commonName: string, organization?: string): string {
  const escape = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  return organization ? `CN=${escape(commonName)}, O=${escape(organization)}` : `CN=${escape(commonName)}`;
}

/** A new self-signed CA (10 years unless told otherwise). */
export async function createCertificateAuthority(
  commonName: string,
  now: number,
  validityDays = CA_VALIDITY_DAYS,
): Promise<CertKeyPair> {
  const keyPem = generatePrivateKey();
  const keys = await importKeyPair(keyPem);
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + validityDays * DAY_MS),
    signingAlgorithm: algorithmsOf(keyPem).sign,
    keys,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(
        KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature,
        true,
      ),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem };
}

function subjectAltNames(spec: CertificateSpec): JsonGeneralName[] {
  return [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
}

/** Signs `publicKey` (SPKI PEM) for `spec` with the CA. */
export async function signCertificate(
  ca: CertKeyPair,
  publicKeyPem: string,
  spec: CertificateSpec,
  now: number,
): Promise<string> {
  const caCert = new X509Certificate(ca.certPem);
  const caKeys = await importKeyPair(ca.keyPem);
  const spki = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  const sans = subjectAltNames(spec);
  const extensions: Extension[] = [
    new BasicConstraintsExtension(false, undefined, true),
    new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
    new ExtendedKeyUsageExtension(
      [spec.usage === 'server' ? ExtendedKeyUsage.serverAuth : ExtendedKeyUsage.clientAuth],
      false,
    ),
    await AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
  ];
  if (sans.length > 0) extensions.push(new SubjectAlternativeNameExtension(sans, false));
  const cert = await X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(spec.commonName, spec.organization),
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + spec.validityDays * DAY_MS, caCert.notAfter.getTime())),
    signingAlgorithm: algorithmsOf(ca.keyPem).sign,
    publicKey: new Uint8Array(spki),
    signingKey: caKeys.privateKey,
    extensions,
  });
  return cert.toString('pem');
}

/** A new key and a certificate for it signed by the CA. */
export async function issueCertificate(
  ca: CertKeyPair,
  spec: CertificateSpec,
  now: number,
): Promise<CertKeyPair> {
  const keyPem = generatePrivateKey();
  const publicKeyPem = createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }) as string;
  return { certPem: await signCertificate(ca, publicKeyPem, spec, now), keyPem };
}

/** A PKCS#10 certificate signing request for `keyPem`, PEM. */
export async function createCertificateRequest(keyPem: string, commonName: string): Promise<string> {
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: distinguishedName(commonName),
    keys: await importKeyPair(keyPem),
    signingAlgorithm: algorithmsOf(keyPem).sign,
  });
  return csr.toString('pem');
}

/** The public key (SPKI PEM) of a CSR whose signature checks out; throws on anything else. */
export async function certificateRequestPublicKey(csrPem: string): Promise<string> {
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new Error('the certificate signing request is not a PEM PKCS#10 request');
  }
  if (!(await csr.verify())) throw new Error('the certificate signing request has a bad signature');
  const spki = Buffer.from(csr.publicKey.rawData);
  return createPublicKey({ key: spki, format: 'der', type: 'spki' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}
