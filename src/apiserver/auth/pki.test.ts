// The cluster's certificates: a CA that is a CA, leaf certificates with the right names, usage and issuer, CSRs
// signed without seeing the private key, kubeadm's CA hash — and a real TLS handshake that trusts only this CA.
import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  caCertHash,
  certificateInfo,
  certificateRequestPublicKey,
  createCertificateAuthority,
  createCertificateRequest,
  generatePrivateKey,
  isIssuedBy,
  issueCertificate,
  keyMatchesCertificate,
  signCertificate,
} from './pki.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

describe('cluster CA and certificates', () => {
  it('makes a self-signed CA valid for ten years', async () => {
    const ca = await createCertificateAuthority('skiff-ca', NOW);
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=skiff-ca');
    expect(cert.issuer).toBe('CN=skiff-ca');
    expect(isIssuedBy(ca.certPem, ca.certPem)).toBe(true);
    expect(keyMatchesCertificate(ca.certPem, ca.keyPem)).toBe(true);
    expect(Date.parse(cert.validTo)).toBe(Math.floor((NOW + 3650 * DAY) / 1000) * 1000);
    expect(createPrivateKeyType(ca.keyPem)).toBe('ec');
  });

  it('issues a serving certificate with exactly the names asked for, signed by the CA', async () => {
    const ca = await createCertificateAuthority('skiff-ca', NOW);
    const leaf = await issueCertificate(
      ca,
      {
        commonName: 'skiff-apiserver',
        dnsNames: ['localhost', 'kubernetes.default.svc.cluster.local'],
        ipAddresses: ['127.0.0.1', '10.96.0.1', '::1'],
        usage: 'server',
        validityDays: 365,
      },
      NOW,
    );
    const info = certificateInfo(leaf.certPem);
    expect(info).toEqual({
      commonName: 'skiff-apiserver',
      dnsNames: ['localhost', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['127.0.0.1', '10.96.0.1', '::1'],
      notAfter: Math.floor((NOW + 365 * DAY) / 1000) * 1000,
    });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth only
    expect(isIssuedBy(leaf.certPem, ca.certPem)).toBe(true);
    expect(keyMatchesCertificate(leaf.certPem, leaf.keyPem)).toBe(true);
    expect(keyMatchesCertificate(leaf.certPem, ca.keyPem)).toBe(false);
  });

  it('tells certificates of another CA apart', async () => {
    const ca = await createCertificateAuthority('skiff-ca', NOW);
    const other = await createCertificateAuthority('skiff-ca', NOW);
    const leaf = await issueCertificate(other, { commonName: 'x', usage: 'client', validityDays: 1 }, NOW);
    expect(isIssuedBy(leaf.certPem, ca.certPem)).toBe(false);
    expect(isIssuedBy(leaf.certPem, other.certPem)).toBe(true);
    expect(new X509Certificate(leaf.certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth
  });

  it('signs a CSR for the public key in it; the private key never leaves its owner', async () => {
    const ca = await createCertificateAuthority('skiff-ca', NOW);
    const key = generatePrivateKey();
    const csr = await createCertificateRequest(key, 'system:node:n1');
    const publicKey = await certificateRequestPublicKey(csr);
    expect(publicKey).toBe(createPublicKey(key).export({ type: 'spki', format: 'pem' }));
    const cert = await signCertificate(
      ca,
      publicKey,
      { commonName: 'system:node:n1', organization: 'system:nodes', usage: 'server', validityDays: 365 },
      NOW,
    );
    expect(new X509Certificate(cert).subject).toBe('CN=system:node:n1\nO=system:nodes');
    expect(keyMatchesCertificate(cert, key)).toBe(true);
    expect(certificateInfo(cert).dnsNames).toEqual([]);
    expect(certificateInfo(cert).ipAddresses).toEqual([]);
  });

  it('refuses a CSR that is not one, or whose signature is broken', async () => {
    await expect(certificateRequestPublicKey('hello')).rejects.toThrow(/not a PEM PKCS#10/);
    const csr = await createCertificateRequest(generatePrivateKey(), 'system:node:n1');
    const body = csr.split('\n');
    // Flip a character inside the signature (the last base64 line before the footer).
    const i = body.length - 3;
    body[i] = body[i].slice(0, 5) + (body[i][5] === 'A' ? 'B' : 'A') + body[i].slice(6);
    await expect(certificateRequestPublicKey(body.join('\n'))).rejects.toThrow(/signature|PEM/);
  });

  it("hashes the CA's SubjectPublicKeyInfo as kubeadm's --discovery-token-ca-cert-hash", async () => {
    const ca = await createCertificateAuthority('skiff-ca', NOW);
    const spki = createPublicKey(ca.keyPem).export({ type: 'spki', format: 'der' });
    expect(caCertHash(ca.certPem)).toBe(`sha256:${createHash('sha256').update(spki).digest('hex')}`);
    expect(caCertHash(ca.certPem)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('TLS with the cluster CA', () => {
  let server: https.Server | undefined;
  afterEach(() => server?.close());

  async function serve(certPem: string, keyPem: string): Promise<number> {
    server = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }

  function get(port: number, ca: string, host = '127.0.0.1'): Promise<string> {
    return new Promise((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', servername: host === '127.0.0.1' ? undefined : host, port, ca }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
  }

  it('a client trusting the CA connects by a name the certificate carries, and not otherwise', async () => {
    const now = Date.now();
    const ca = await createCertificateAuthority('skiff-ca', now);
    const leaf = await issueCertificate(
      ca,
      {
        commonName: 'skiff-apiserver',
        ipAddresses: ['127.0.0.1'],
        dnsNames: ['localhost'],
        usage: 'server',
        validityDays: 1,
      },
      now,
    );
    const port = await serve(leaf.certPem, leaf.keyPem);
    expect(await get(port, ca.certPem)).toBe('ok');
    const stranger = await createCertificateAuthority('skiff-ca', now);
    await expect(get(port, stranger.certPem)).rejects.toThrow(/self.signed|unable to verify|signature/i);
  });
});

function createPrivateKeyType(pem: string): string | undefined {
  return createPublicKey(pem).asymmetricKeyType;
}
