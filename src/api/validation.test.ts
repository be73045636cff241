import { describe, expect, it } from 'vitest';
import { fieldPath } from './field-path.js';
import {
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  regexError,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './validation.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('regexError', () => {
  it('formats examples like Kubernetes (note the double space before "or")', () => {
    expect(regexError('bad', 'x+', 'a', 'b')).toBe(
      "bad (e.g. 'a',  or 'b', regex used for validation is 'x+')",
    );
    expect(regexError('bad', 'x+')).toBe("bad (regex used for validation is 'x+')");
  });
});

describe('name rules', () => {
  it.each([
    ['web', []],
    ['web-1.example.com', []],
    ['a'.repeat(253), []],
    ['Web', [SUBDOMAIN_MSG]],
    ['-web', [SUBDOMAIN_MSG]],
    ['web_1', [SUBDOMAIN_MSG]],
    ['', [SUBDOMAIN_MSG]],
    ['a'.repeat(254), ['must be no more than 253 characters']],
  ])('isDns1123Subdomain(%j)', (name, want) => {
    expect(isDns1123Subdomain(name)).toEqual(want);
  });

  it.each([
    ['default', []],
    ['123-abc', []],
    ['kube.system', ['must not contain dots']],
    ['Kube', [LABEL_MSG]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
  ])('isDns1123Label(%j)', (name, want) => {
    expect(isDns1123Label(name)).toEqual(want);
  });

  it.each([
    ['web', []],
    ['my-svc-2', []],
    ['1web', [DNS1035_MSG]],
    ['web.x', [DNS1035_MSG]],
    ['web-', [DNS1035_MSG]],
  ])('isDns1035Label(%j)', (name, want) => {
    expect(isDns1035Label(name)).toEqual(want);
  });

  it.each([
    ['app', []],
    ['app.kubernetes.io/name', []],
    ['MyName', []],
    ['node-role.kubernetes.io/control-plane', []],
    ['bad key', [NAME_PART_MSG]],
    ['/x', ['prefix part must be non-empty']],
    ['Example.com/x', [`prefix part ${SUBDOMAIN_MSG}`]],
    ['a/', ['name part must be non-empty', NAME_PART_MSG]],
    [
      'a/b/c',
      [
        expect.stringMatching(
          /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/'/,
        ),
      ],
    ],
    ['x'.repeat(64), ['name part must be no more than 63 characters']],
  ])('isQualifiedName(%j)', (name, want) => {
    expect(isQualifiedName(name)).toEqual(want);
  });

  it.each([
    ['', 0],
    ['web', 0],
    ['1.2_3-a', 0],
    ['-web', 1],
    ['a b', 1],
    ['x'.repeat(64), 1],
  ])('isValidLabelValue(%j) has %d problems', (v, n) => {
    expect(isValidLabelValue(v)).toHaveLength(n);
  });
  it('label value message', () => {
    expect(isValidLabelValue('a b')[0]).toMatch(
      /^a valid label must be an empty string or consist of alphanumeric/,
    );
  });

  it.each([
    ['key.name', 0],
    ['KEY_NAME', 0],
    ['game.properties', 0],
    ['a b', 1],
    ['..', 1],
    ['..x', 1],
  ])('isConfigMapKey(%j) has %d problems', (v, n) => {
    expect(isConfigMapKey(v)).toHaveLength(n);
  });

  it.each([
    ['http', []],
    ['http-alt', []],
    ['8080', ['must contain at least one letter (a-z)']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-ab', ['must not begin or end with a hyphen']],
    ['Http', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['abcdefghijklmnop', ['must be no more than 15 characters']],
  ])('isValidPortName(%j)', (v, want) => {
    expect(isValidPortName(v)).toEqual(want);
  });

  it('port numbers', () => {
    expect(isValidPortNum(80)).toEqual([]);
    expect(isValidPortNum(65535)).toEqual([]);
    expect(isValidPortNum(0)).toEqual(['must be between 1 and 65535, inclusive']);
    expect(isValidPortNum(70000)).toHaveLength(1);
    expect(isValidPortNum('80')).toHaveLength(1);
  });

  it('env var names (relaxed rule)', () => {
    expect(isEnvVarName('MY_VAR')).toEqual([]);
    expect(isEnvVarName('my.var-1')).toEqual([]);
    expect(isEnvVarName('1ABC')).toEqual([]);
    expect(isEnvVarName('A=B')).toHaveLength(1);
    expect(isEnvVarName('')).toEqual(['environment variable name must be non-empty']);
  });
});

describe('validateObjectMeta', () => {
  const ns = { namespaced: true };
  const msgs = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

  it('accepts a normal object', () => {
    expect(
      validateObjectMeta(
        {
          name: 'web',
          namespace: 'default',
          labels: { app: 'web' },
          annotations: { 'example.com/note': 'x' },
        },
        ns,
      ),
    ).toEqual([]);
  });

  it('requires a name', () => {
    expect(msgs(validateObjectMeta({ namespace: 'default' }, ns))).toEqual([
      'metadata.name: Required value: name or generateName is required',
    ]);
  });

  it('accepts generateName prefixes ending in a dash', () => {
    expect(validateObjectMeta({ generateName: 'web-', namespace: 'default' }, ns)).toEqual([]);
    expect(msgs(validateObjectMeta({ generateName: 'Web-', namespace: 'default' }, ns))[0]).toMatch(
      /^metadata.generateName: Invalid value: "Web-": a lowercase RFC 1123 subdomain/,
    );
  });

  it('reports an upper-case name with the RFC 1123 message', () => {
    const errs = validateObjectMeta({ name: 'Web', namespace: 'default' }, ns);
    expect(errs).toEqual([
      {
        field: 'metadata.name',
        type: 'FieldValueInvalid',
        message: `Invalid value: "Web": ${SUBDOMAIN_MSG}`,
      },
    ]);
  });

  it('applies the kind name rule', () => {
    expect(
      validateObjectMeta({ name: 'a.b' }, { namespaced: false, nameRule: 'dns1123-label' })[0].message,
    ).toBe('Invalid value: "a.b": must not contain dots');
    expect(
      validateObjectMeta({ name: '1svc', namespace: 'd' }, { namespaced: true, nameRule: 'dns1035-label' }),
    ).toHaveLength(1);
  });

  it('checks the namespace against the scope', () => {
    expect(msgs(validateObjectMeta({ name: 'a' }, ns))).toEqual(['metadata.namespace: Required value']);
    expect(msgs(validateObjectMeta({ name: 'a', namespace: 'x' }, { namespaced: false }))).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
    expect(msgs(validateObjectMeta({ name: 'a', namespace: 'Bad' }, ns))[0]).toMatch(
      /^metadata.namespace: Invalid value: "Bad"/,
    );
  });

  it('validates label keys and values', () => {
    const out = msgs(
      validateObjectMeta({ name: 'a', namespace: 'd', labels: { 'bad key': 'ok', good: 'bad value' } }, ns),
    );
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(`metadata.labels: Invalid value: "bad key": ${NAME_PART_MSG}`);
    expect(out[1]).toMatch(/^metadata.labels: Invalid value: "bad value": a valid label must be/);
  });

  it('validates annotation keys (case-insensitively) and total size', () => {
    expect(
      validateObjectMeta({ name: 'a', namespace: 'd', annotations: { 'Example.COM/Key': 'v' } }, ns),
    ).toEqual([]);
    expect(
      msgs(validateObjectMeta({ name: 'a', namespace: 'd', annotations: { 'a b': 'v' } }, ns)),
    ).toHaveLength(1);
    const big = { name: 'a', namespace: 'd', annotations: { big: 'x'.repeat(256 * 1024) } };
    expect(msgs(validateObjectMeta(big, ns))).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });

  it('validates owner references and allows one controller', () => {
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true };
    expect(validateObjectMeta({ name: 'a', namespace: 'd', ownerReferences: [ref] }, ns)).toEqual([]);
    expect(
      msgs(validateObjectMeta({ name: 'a', namespace: 'd', ownerReferences: [{ ...ref, uid: '' }] }, ns)),
    ).toEqual(['metadata.ownerReferences.uid: Invalid value: "": must not be empty']);
    const two = [ref, { ...ref, name: 'rs2', uid: 'u2' }];
    expect(msgs(validateObjectMeta({ name: 'a', namespace: 'd', ownerReferences: two }, ns))[0]).toMatch(
      /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/rs and ReplicaSet\/rs2/,
    );
  });

  it('validates finalizers', () => {
    expect(
      validateObjectMeta(
        { name: 'a', finalizers: ['kubernetes', 'example.com/cleanup'] },
        { namespaced: false },
      ),
    ).toEqual([]);
    expect(msgs(validateObjectMeta({ name: 'a', finalizers: ['cleanup'] }, { namespaced: false }))).toEqual([
      'metadata.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  it('rejects negative generation', () => {
    expect(msgs(validateObjectMeta({ name: 'a', namespace: 'd', generation: -1 }, ns))).toEqual([
      'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  it('keeps identity fields immutable', () => {
    const old = { name: 'a', namespace: 'd', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' };
    expect(validateObjectMetaUpdate({ ...old, labels: { x: 'y' } }, old)).toEqual([]);
    expect(validateObjectMetaUpdate({ name: 'a', namespace: 'd' }, old)).toEqual([]);
    expect(
      validateObjectMetaUpdate({ ...old, name: 'b' }, old).map((e) => `${e.field}: ${e.message}`),
    ).toEqual(['metadata.name: Invalid value: "b": field is immutable']);
    expect(validateObjectMetaUpdate({ ...old, uid: 'v' }, old)).toHaveLength(1);
  });
});

describe('fieldPath', () => {
  it('prints like field.Path', () => {
    expect(String(fieldPath('spec').child('containers').index(0).child('image'))).toBe(
      'spec.containers[0].image',
    );
    expect(String(fieldPath('data').key('a.b'))).toBe('data[a.b]');
    expect(String(fieldPath('spec', 'template').child('spec', 'volumes'))).toBe('spec.template.spec.volumes');
  });
});
