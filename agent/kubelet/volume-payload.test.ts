import { describe, expect, it } from 'vitest';
import {
  configMapFiles,
  makePayload,
  PayloadError,
  secretFiles,
  validatePayloadPath,
  type Payload,
} from './volume-payload.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const show = (p: Payload) =>
  Object.fromEntries([...p].map(([k, f]) => [k, `${f.data.toString('utf8')} 0${f.mode.toString(8)}`]));

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg' },
  data: { 'app.conf': 'x=1', mode: 'prod' },
  binaryData: { 'logo.bin': b64('PNG') },
};
const secret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's' },
  data: { password: b64('hunter2'), token: b64('t0k') },
};

describe('volume payloads', () => {
  it('makes one file per key with the default mode 0644 (ConfigMap data and binaryData, Secret data decoded)', () => {
    expect(show(makePayload('configmap', configMapFiles(cm), {}))).toEqual({
      'app.conf': 'x=1 0644',
      mode: 'prod 0644',
      'logo.bin': 'PNG 0644',
    });
    expect(show(makePayload('secret', secretFiles(secret), { defaultMode: 0o400 }))).toEqual({
      password: 'hunter2 0400',
      token: 't0k 0400',
    });
  });

  it('maps items to their paths and modes, nested directories included', () => {
    const payload = makePayload('secret', secretFiles(secret), {
      defaultMode: 0o440,
      items: [
        { key: 'password', path: 'db/password', mode: 0o400 },
        { key: 'token', path: 'token.txt' },
        { key: 'token', path: './again//token' },
      ],
    });
    expect(show(payload)).toEqual({
      'db/password': 'hunter2 0400',
      'token.txt': 't0k 0440',
      'again/token': 't0k 0440',
    });
  });

  it('keeps only permission bits (no setuid, setgid or sticky bit)', () => {
    const payload = makePayload('configmap', configMapFiles(cm), {
      defaultMode: 0o4755,
      items: [{ key: 'mode', path: 'm', mode: 0o7777 }],
    });
    expect(payload.get('m')?.mode).toBe(0o777);
  });

  it('fails for a missing key unless the volume is optional, with the kubelet messages', () => {
    expect(() => makePayload('secret', secretFiles(secret), { items: [{ key: 'nope', path: 'x' }] })).toThrow(
      new PayloadError('references non-existent secret key: nope'),
    );
    expect(() =>
      makePayload('configmap', configMapFiles(cm), { items: [{ key: 'nope', path: 'x' }] }),
    ).toThrow('configmap references non-existent config key: nope');
    const optional = makePayload('secret', secretFiles(secret), {
      optional: true,
      items: [
        { key: 'nope', path: 'x' },
        { key: 'token', path: 't' },
      ],
    });
    expect([...optional.keys()]).toEqual(['t']);
    expect(makePayload('secret', secretFiles(null), { optional: true }).size).toBe(0);
  });

  it.each([
    ['', 'invalid path: must not be empty: ""'],
    ['/etc/passwd', 'invalid path: must be relative path: /etc/passwd'],
    ['../../etc/passwd', "invalid path: must not contain '..': ../../etc/passwd"],
    ['a/../../b', "invalid path: must not contain '..': a/../../b"],
    ['..data', "invalid path: must not start with '..': ..data"],
    ['..2026_01_01/x', "invalid path: must not start with '..': ..2026_01_01/x"],
    ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
    ['a/'.repeat(2100), 'invalid path: must be less than or equal to 4096 characters'],
  ])('refuses the item path %j', (p, message) => {
    expect(() => validatePayloadPath(p)).toThrow(message);
    expect(() => makePayload('secret', secretFiles(secret), { items: [{ key: 'token', path: p }] })).toThrow(
      PayloadError,
    );
  });

  it('accepts names that merely contain dots', () => {
    for (const p of ['.hidden', 'a..b', 'dir/..x', 'x.']) expect(() => validatePayloadPath(p)).not.toThrow();
  });

  it('refuses malformed items', () => {
    expect(() => makePayload('secret', secretFiles(secret), { items: [{ key: 'token' }] as never })).toThrow(
      'invalid items entry: key and path are required',
    );
  });
});
