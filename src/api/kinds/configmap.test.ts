import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../types.js';
import { configMapDef } from './configmap.js';

const cm = (over: Partial<ConfigMap> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'default', creationTimestamp: '2026-11-30T04:59:00Z' },
  ...over,
});
const problems = (c: ConfigMap, old?: ConfigMap) =>
  configMapDef.validate!(c, old).map((e) => `${e.field}: ${e.message}`);

describe('configmaps', () => {
  it('accepts valid keys', () => {
    expect(
      problems(cm({ data: { 'game.properties': 'a=1', KEY_NAME: 'x' }, binaryData: { 'logo.png': 'aGk=' } })),
    ).toEqual([]);
  });
  it('rejects invalid keys with the Kubernetes message', () => {
    expect(problems(cm({ data: { 'bad key': 'x' } }))).toEqual([
      "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
  });
  it('rejects keys present in both data and binaryData', () => {
    expect(problems(cm({ data: { a: '1' }, binaryData: { a: 'aGk=' } }))).toEqual([
      'data[a]: Invalid value: "a": duplicate of key present in binaryData',
    ]);
  });
  it('limits the total size to 1 MiB', () => {
    expect(problems(cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } }))).toEqual([
      'data: Too long: may not be more than 1048576 bytes',
    ]);
  });
  it('keeps immutable configmaps immutable', () => {
    const old = cm({ data: { a: '1' }, immutable: true });
    expect(
      problems(
        cm({ data: { a: '1' }, immutable: true, metadata: { ...old.metadata, labels: { x: 'y' } } }),
        old,
      ),
    ).toEqual([]);
    expect(problems(cm({ data: { a: '2' }, immutable: true }), old)).toEqual([
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect(problems(cm({ data: { a: '1' }, immutable: false }), old)).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
  it('prints Name, Data count, Age', () => {
    expect(
      configMapDef.row(cm({ data: { a: '1', b: '2' }, binaryData: { c: '' } }), {
        now: Date.parse('2026-11-30T05:00:00Z'),
      }),
    ).toEqual(['cfg', 3, '60s']);
    expect(configMapDef).toMatchObject({ resource: 'configmaps', shortNames: ['cm'], namespaced: true });
  });
});
