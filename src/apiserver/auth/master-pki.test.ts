// The master's pki/ directory: made once with private permissions, reused on restart, and a serving certificate
// made again (by the same CA) when the names it must carry change or it nears its end.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../../test/fakes/recording-logger.js';
import { ensureMasterPki, leafProblem } from './master-pki.js';
import { certificateInfo, isIssuedBy } from './pki.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const names = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
let dir: string;
let logger: RecordingLogger;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-pki-'));
  logger = new RecordingLogger();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

describe('the master PKI on disk', () => {
  it('creates the CA and both leaf certificates with 0700 for the directory and 0600 for keys', async () => {
    const pki = await ensureMasterPki({ dataDir: dir, names, now: NOW, logger });
    const p = (f: string) => join(dir, 'pki', f);
    expect(mode(join(dir, 'pki'))).toBe(0o700);
    for (const key of ['ca.key', 'apiserver.key', 'apiserver-kubelet-client.key'])
      expect(mode(p(key))).toBe(0o600);
    for (const crt of ['ca.crt', 'apiserver.crt', 'apiserver-kubelet-client.crt'])
      expect(mode(p(crt))).toBe(0o644);
    expect(readFileSync(p('ca.crt'), 'utf8')).toBe(pki.ca.certPem);
    expect(isIssuedBy(pki.apiserver.certPem, pki.ca.certPem)).toBe(true);
    expect(isIssuedBy(pki.kubeletClient.certPem, pki.ca.certPem)).toBe(true);
    expect(certificateInfo(pki.apiserver.certPem)).toMatchObject({ commonName: 'skiff-apiserver', ...names });
    expect(certificateInfo(pki.kubeletClient.certPem).commonName).toBe('skiff-apiserver-kubelet-client');
    expect(pki.caCertHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('reuses everything on restart', async () => {
    const first = await ensureMasterPki({ dataDir: dir, names, now: NOW, logger });
    const again = await ensureMasterPki({ dataDir: dir, names, now: NOW + DAY, logger });
    expect(again).toEqual(first);
  });

  it('makes a new serving certificate, from the same CA, when the names change', async () => {
    const first = await ensureMasterPki({ dataDir: dir, names, now: NOW, logger });
    const wider = { dnsNames: ['localhost', 'master.example.com'], ipAddresses: ['127.0.0.1', '54.1.2.3'] };
    const again = await ensureMasterPki({ dataDir: dir, names: wider, now: NOW, logger });
    expect(again.ca).toEqual(first.ca);
    expect(again.kubeletClient).toEqual(first.kubeletClient);
    expect(again.apiserver.certPem).not.toBe(first.apiserver.certPem);
    expect(certificateInfo(again.apiserver.certPem)).toMatchObject(wider);
    expect(logger.records.at(-1)).toMatchObject({
      msg: 'certificate renewed',
      fields: { reason: 'the names it must carry changed' },
    });
  });

  it('renews leaf certificates within 30 days of their end', async () => {
    const pki = await ensureMasterPki({ dataDir: dir, names, now: NOW, logger });
    expect(leafProblem(pki.apiserver, pki.ca, NOW + 300 * DAY, names)).toBeUndefined();
    expect(leafProblem(pki.apiserver, pki.ca, NOW + 340 * DAY, names)).toBe('expires within 30 days');
    const later = await ensureMasterPki({ dataDir: dir, names, now: NOW + 340 * DAY, logger });
    expect(later.ca).toEqual(pki.ca);
    expect(certificateInfo(later.apiserver.certPem).notAfter).toBeGreaterThan(NOW + 700 * DAY);
  });

  it('says why a stored certificate is unusable', async () => {
    const pki = await ensureMasterPki({ dataDir: dir, names, now: NOW, logger });
    expect(leafProblem(undefined, pki.ca, NOW)).toBe('missing');
    expect(leafProblem({ ...pki.apiserver, keyPem: pki.kubeletClient.keyPem }, pki.ca, NOW)).toBe(
      'its key does not match',
    );
    expect(leafProblem(pki.apiserver, pki.kubeletClient, NOW)).toBe('not signed by the cluster CA');
  });
});
