import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import { formatObjects, toJson, toYaml, withTypeMeta } from './output.js';

describe('output formats', () => {
  it('writes YAML like kubectl: sorted keys, unindented lists, YAML 1.1 quoting', () => {
    expect(
      toYaml({
        metadata: { name: 'x', creationTimestamp: '2026-11-30T05:45:51Z' },
        apiVersion: 'v1',
        data: { on: 'yes', n: '1' },
        list: [{ b: 1, a: 2 }],
      }),
    ).toBe(
      [
        'apiVersion: v1',
        'data:',
        '  "n": "1"',
        '  "on": "yes"',
        'list:',
        '- a: 2',
        '  b: 1',
        'metadata:',
        '  creationTimestamp: "2026-11-30T05:45:51Z"',
        '  name: x',
        '',
      ].join('\n'),
    );
  });

  it('writes JSON with sorted keys and four-space indentation', () => {
    expect(
      toJson({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', labels: { z: '1', a: '2' } } }),
    ).toBe(
      '{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": {\n        "labels": {\n            "a": "2",\n            "z": "1"\n        },\n        "name": "a"\n    }\n}\n',
    );
  });

  it('escapes <, > and & as Go does', () => {
    expect(toJson({ cmd: 'a > b && c < d' })).toBe(
      '{\n    "cmd": "a \\u003e b \\u0026\\u0026 c \\u003c d"\n}\n',
    );
  });

  it('wraps several objects (or a list request) in a List and fills in list items’ kind', () => {
    const pods = defaultRegistry().resolve('pods')!;
    const item = withTypeMeta(pods, { metadata: { name: 'a' } } as never);
    expect(item).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } });
    expect(JSON.parse(formatObjects('json', [item], false))).toEqual({
      apiVersion: 'v1',
      items: [item],
      kind: 'List',
      metadata: { resourceVersion: '' },
    });
    expect(formatObjects('yaml', [item], true)).toBe('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n');
  });
});
