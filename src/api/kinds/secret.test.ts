import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../registry.js';
import { base64Problem, defaultSecret, secretDef, type Secret } from './secret.js';

const secret = (over: Partial<Secret> = {}): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'default', creationTimestamp: '2026-11-30T04:59:00Z' },
  ...over,
});
const b64 = (s: string) => Buffer.from(s).toString('base64');
const problems = (s: Secret, old?: Secret) =>
  secretDef.validate!(s, old).map((e) => `${e.field}: ${e.message}`);
/** Defaults then validation, as the API server runs them. */
const admit = (s: Secret, old?: Secret) => {
  defaultSecret(s);
  return problems(s, old);
};

describe('secrets: definition', () => {
  it('is core/v1 secrets, namespaced, with no short name', () => {
    expect(secretDef).toMatchObject({
      group: '',
      version: 'v1',
      resource: 'secrets',
      kind: 'Secret',
      listKind: 'SecretList',
      singular: 'secret',
      namespaced: true,
      shortNames: [],
    });
    expect(defaultRegistry().resolve('secret')).toBe(secretDef);
    expect(defaultRegistry().resolve('secrets')).toBe(secretDef);
  });

  it('prints Name, Type, Data count, Age', () => {
    expect(secretDef.columns.map((c) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    const s = secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } });
    expect(secretDef.row(s, { now: Date.parse('2026-11-30T05:00:00Z') })).toEqual([
      's',
      'kubernetes.io/tls',
      2,
      '60s',
    ]);
    expect(secretDef.fields!(s)).toEqual({ type: 'kubernetes.io/tls' });
  });
});

describe('secrets: defaults', () => {
  it('defaults the type to Opaque', () => {
    const s = secret();
    defaultSecret(s);
    expect(s.type).toBe('Opaque');
    const t = secret({ type: 'kubernetes.io/basic-auth' });
    defaultSecret(t);
    expect(t.type).toBe('kubernetes.io/basic-auth');
  });

  it('merges stringData into data (stringData wins) and never keeps it', () => {
    const s = secret({ data: { a: b64('old'), b: b64('kept') }, stringData: { a: 'new', c: 'ü' } });
    defaultSecret(s);
    expect(s.data).toEqual({ a: b64('new'), b: b64('kept'), c: b64('ü') });
    expect('stringData' in s).toBe(false);
    const empty = secret({ stringData: {} });
    defaultSecret(empty);
    expect('stringData' in empty).toBe(false);
    expect(empty.data).toBeUndefined();
  });

  it('keeps a stringData key named __proto__ as data', () => {
    const s = secret({ stringData: JSON.parse('{"__proto__":"v"}') });
    defaultSecret(s);
    expect(Object.keys(s.data!)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(s.data)).toBe(Object.prototype);
  });

  it('re-encodes valid base64 canonically (line breaks dropped) and leaves bad values to validation', () => {
    const s = secret({ data: { wrapped: 'aGVs\nbG8=', bad: 'no!' } });
    defaultSecret(s);
    expect(s.data).toEqual({ wrapped: b64('hello'), bad: 'no!' });
  });

  it('leaves a malformed stringData for validation, which does not echo it', () => {
    const s = secret({ stringData: { k: 42 } as never });
    expect(admit(s)).toEqual([
      'stringData: Invalid value: "<secret contents redacted>": must be a map of keys to strings',
    ]);
    expect(JSON.stringify(problems(s))).not.toContain('42');
    const badData = secret({ data: ['x'] as never, stringData: { k: 'v' } });
    expect(admit(badData)).toEqual([
      'data: Invalid value: "<secret contents redacted>": must be a map of keys to base64 strings',
    ]);
  });
});

describe('secrets: validation', () => {
  it('accepts an Opaque secret with valid keys and values', () => {
    expect(admit(secret({ data: { 'game.properties': b64('a=1'), KEY_NAME: '', k: b64('x') } }))).toEqual([]);
  });

  it('rejects bad keys with the ConfigMap key message', () => {
    expect(admit(secret({ data: { 'bad key': b64('x') } }))).toEqual([
      "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
  });

  it('rejects values that are not base64 without showing them', () => {
    const errs = admit(secret({ data: { a: 'hunter2!', b: 'abc', c: 'ab=c', d: 7 as never } }));
    expect(errs).toEqual([
      'data[a]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 7',
      'data[b]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 0',
      'data[c]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 2',
      'data[d]: Invalid value: "<secret contents redacted>": must be a base64 string',
    ]);
    expect(errs.join('\n')).not.toContain('hunter2');
  });

  it('limits the decoded size to 1 MiB', () => {
    expect(admit(secret({ data: { big: Buffer.alloc(1024 * 1024 + 1).toString('base64') } }))).toEqual([
      'data: Too long: may not be more than 1048576 bytes',
    ]);
    expect(admit(secret({ data: { big: Buffer.alloc(1024 * 1024).toString('base64') } }))).toEqual([]);
  });

  it.each([
    ['kubernetes.io/basic-auth', {}, ['data[username]: Required value', 'data[password]: Required value']],
    ['kubernetes.io/basic-auth', { password: '' }, []],
    ['kubernetes.io/tls', { 'tls.crt': b64('c') }, ['data[tls.key]: Required value']],
    ['kubernetes.io/tls', { 'tls.crt': b64('c'), 'tls.key': b64('k') }, []],
    ['kubernetes.io/ssh-auth', { 'ssh-privatekey': '' }, ['data[ssh-privatekey]: Required value']],
    ['kubernetes.io/dockerconfigjson', {}, ['data[.dockerconfigjson]: Required value']],
    ['kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":{}}') }, []],
    ['kubernetes.io/dockercfg', { '.dockercfg': b64('{}') }, []],
    ['example.com/custom', {}, []],
  ])('checks the keys of type %s (%j)', (type, data, expected) => {
    expect(admit(secret({ type, data }))).toEqual(expected);
  });

  it('checks dockerconfigjson is a JSON object, without echoing it', () => {
    const errs = admit(
      secret({
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': b64('{"pw": "hunter2"') },
      }),
    );
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>": /);
    expect(errs[0]).not.toContain('hunter2');
  });

  it('needs the service account annotation on service-account-token secrets', () => {
    expect(admit(secret({ type: 'kubernetes.io/service-account-token' }))).toEqual([
      'metadata.annotations[kubernetes.io/service-account.name]: Required value',
    ]);
    const ok = secret({ type: 'kubernetes.io/service-account-token' });
    ok.metadata.annotations = { 'kubernetes.io/service-account.name': 'default' };
    expect(admit(ok)).toEqual([]);
  });

  it('keeps the type immutable', () => {
    const old = secret({ type: 'Opaque', data: {} });
    expect(admit(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }), old)).toEqual(
      ['type: Invalid value: "kubernetes.io/tls": field is immutable'],
    );
    // An update without a type is defaulted to Opaque, like in Kubernetes.
    expect(admit(secret({ data: { a: b64('1') } }), old)).toEqual([]);
  });

  it('keeps immutable secrets immutable, stringData included', () => {
    const old = secret({ type: 'Opaque', data: { a: b64('1') }, immutable: true });
    expect(
      admit(
        secret({ data: { a: b64('1') }, immutable: true, metadata: { ...old.metadata, labels: { x: 'y' } } }),
        old,
      ),
    ).toEqual([]);
    expect(admit(secret({ stringData: { a: '2' }, data: { a: b64('1') }, immutable: true }), old)).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(admit(secret({ data: { a: b64('1') }, immutable: false }), old)).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
});

describe('base64Problem', () => {
  it.each([
    ['', undefined],
    ['aGk=', undefined],
    ['aGVsbG8=', undefined],
    ['aGVs\r\nbG8=', undefined],
    ['aGk', 'illegal base64 data at input byte 0'],
    ['a-Gk', 'illegal base64 data at input byte 1'],
    ['aG==aGk=', 'illegal base64 data at input byte 4'],
    ['aGkxa', 'illegal base64 data at input byte 4'],
    ['a===', 'illegal base64 data at input byte 1'],
  ])('%j → %s', (input, expected) => {
    expect(base64Problem(input)).toBe(expected);
  });
});
