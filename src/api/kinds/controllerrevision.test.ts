import { describe, expect, it } from 'vitest';
import type { ControllerRevision } from '../types.js';
import { controllerRevisionDef } from './controllerrevision.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function revision(extra: Partial<ControllerRevision> = {}): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: 'log-agent-5d9c7b8f4',
      namespace: 'kube-system',
      creationTimestamp: '2026-11-30T04:59:50Z',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'log-agent', uid: 'u1', controller: true },
      ],
    },
    data: { spec: { template: { $patch: 'replace' } } },
    revision: 2,
    ...extra,
  };
}

const problems = (r: ControllerRevision, old?: ControllerRevision) =>
  controllerRevisionDef.validate!(r, old).map((e) => `${e.field}: ${e.message}`);

describe('controllerrevision validation', () => {
  it('accepts a revision with data', () => {
    expect(problems(revision())).toEqual([]);
  });
  it('requires data and a non-negative revision', () => {
    expect(problems(revision({ data: undefined, revision: -1 }))).toEqual([
      'data: Required value: data is mandatory',
      'revision: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
  it('keeps data immutable but lets the revision number move (rollbacks renumber it)', () => {
    const old = revision();
    expect(problems(revision({ revision: 5 }), old)).toEqual([]);
    expect(problems(revision({ data: { spec: {} } }), old)).toEqual([
      'data: Invalid value: {"spec":{}}: field is immutable',
    ]);
  });
});

describe('controllerrevision table row', () => {
  it('prints Name, Controller (kind.group/name), Revision, Age', () => {
    expect(controllerRevisionDef.columns.map((c) => c.name)).toEqual([
      'Name',
      'Controller',
      'Revision',
      'Age',
    ]);
    expect(controllerRevisionDef.row(revision(), { now: NOW })).toEqual([
      'log-agent-5d9c7b8f4',
      'daemonset.apps/log-agent',
      2,
      '10s',
    ]);
  });
  it('prints <none> for an orphan and a core owner without a group', () => {
    const orphan = revision();
    orphan.metadata.ownerReferences = [];
    expect(controllerRevisionDef.row(orphan, { now: NOW })[1]).toBe('<none>');
    const core = revision();
    core.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', controller: true },
    ];
    expect(controllerRevisionDef.row(core, { now: NOW })[1]).toBe('pod/p');
  });
});
