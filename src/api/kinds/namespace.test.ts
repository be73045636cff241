import { describe, expect, it } from 'vitest';
import type { Namespace } from '../types.js';
import { namespaceDef } from './namespace.js';

const ns = (name: string, over: Partial<Namespace> = {}): Namespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, creationTimestamp: '2026-11-30T04:00:00Z' },
  ...over,
});

describe('namespaces', () => {
  it('defaults the kubernetes finalizer and phase Active', () => {
    const n = ns('team-a');
    namespaceDef.defaults!(n);
    expect(n.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(n.status).toEqual({ phase: 'Active' });
    const terminating = ns('x', { status: { phase: 'Terminating' } });
    namespaceDef.defaults!(terminating);
    expect(terminating.status?.phase).toBe('Terminating');
  });
  it('requires DNS-1123 label names', () => {
    expect(namespaceDef.validate!(ns('team-a'))).toEqual([]);
    expect(namespaceDef.validate!(ns('team.a')).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'metadata.name: Invalid value: "team.a": must not contain dots',
    ]);
    expect(namespaceDef.validate!(ns('Team'))[0].message).toMatch(/a lowercase RFC 1123 label must consist/);
  });
  it('rejects an unknown phase', () => {
    expect(namespaceDef.validate!(ns('a', { status: { phase: 'Gone' as 'Active' } }))).toHaveLength(1);
  });
  it('prints Name, Status, Age and selects on status.phase', () => {
    const n = ns('default', { status: { phase: 'Active' } });
    expect(namespaceDef.row(n, { now: Date.parse('2026-11-30T05:00:00Z') })).toEqual([
      'default',
      'Active',
      '60m',
    ]);
    expect(namespaceDef.fields!(n)).toEqual({ 'status.phase': 'Active' });
  });
  it('has the discovery data kubectl expects', () => {
    expect(namespaceDef).toMatchObject({
      resource: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      nameRule: 'dns1123-label',
    });
    expect(namespaceDef.verbs).not.toContain('deletecollection');
    expect(namespaceDef.columns.map((c) => c.name)).toEqual(['Name', 'Status', 'Age']);
  });
});
