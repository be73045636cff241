import { describe, expect, it } from 'vitest';
import { objectFields } from '../selectors.js';
import type { PersistentVolumeClaim, PersistentVolumeClaimSpec } from '../types.js';
import { accessModesAsString, persistentVolumeClaimDef as pvcDef } from './persistentvolumeclaim.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function pvc(spec: Partial<PersistentVolumeClaimSpec> = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'www-web-0', namespace: 'default', creationTimestamp: '2026-11-30T04:00:00Z' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  };
}

function defaulted(c: PersistentVolumeClaim): PersistentVolumeClaim {
  pvcDef.defaults!(c);
  return c;
}

const problems = (c: PersistentVolumeClaim, old?: PersistentVolumeClaim) =>
  pvcDef.validate!(c, old).map((e) => `${e.field}: ${e.message}`);

describe('pvc defaults', () => {
  it('sets volumeMode Filesystem and phase Pending', () => {
    const c = defaulted(pvc());
    expect(c.spec.volumeMode).toBe('Filesystem');
    expect(c.status).toEqual({ phase: 'Pending' });
  });
  it('keeps Block', () => {
    expect(defaulted(pvc({ volumeMode: 'Block' })).spec.volumeMode).toBe('Block');
  });
});

describe('pvc validation', () => {
  it('accepts a defaulted claim', () => {
    expect(problems(defaulted(pvc()))).toEqual([]);
  });

  it.each<[string, Partial<PersistentVolumeClaimSpec>, string[]]>([
    [
      'no access modes',
      { accessModes: [] },
      ['spec.accessModes: Required value: at least 1 access mode is required'],
    ],
    [
      'unknown access mode',
      { accessModes: ['ReadEverything'] },
      [
        'spec.accessModes: Unsupported value: "ReadEverything": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      ],
    ],
    [
      'ReadWriteOncePod with another mode',
      { accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] },
      ['spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes'],
    ],
    ['no storage request', { resources: {} }, ['spec.resources[storage]: Required value']],
    [
      'storage zero',
      { resources: { requests: { storage: '0' } } },
      ['spec.resources[storage]: Invalid value: "0": must be greater than zero'],
    ],
    [
      'storage not a quantity',
      { resources: { requests: { storage: 'lots' } } },
      [
        'spec.resources[storage]: Invalid value: "lots": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
      ],
    ],
    [
      'bad volume mode',
      { volumeMode: 'Raw' },
      ['spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(problems(defaulted(pvc(spec)))).toEqual(expected);
  });

  it('on update, lets the binder set volumeName once and a bound claim grow, nothing else', () => {
    const old = defaulted(pvc());
    const bound = structuredClone(old);
    bound.spec.volumeName = 'pv-1';
    expect(problems(bound, old)).toEqual([]);
    bound.status = { phase: 'Bound' };
    const grown = structuredClone(bound);
    grown.spec.resources = { requests: { storage: '2Gi' } };
    expect(problems(grown, bound)).toEqual([]);
    const shrunk = structuredClone(grown);
    shrunk.spec.resources = { requests: { storage: '1Gi' } };
    expect(problems(shrunk, grown)).toEqual([
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    ]);
    const moved = structuredClone(bound);
    moved.spec.volumeName = 'pv-2';
    moved.spec.accessModes = ['ReadWriteMany'];
    expect(problems(moved, bound)).toEqual([
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
  });
});

describe('pvc table row', () => {
  it('prints Name, Status, Volume, Capacity, Access Modes, StorageClass, VolumeAttributesClass, Age | VolumeMode', () => {
    const c = defaulted(pvc({ storageClassName: 'local-path', volumeName: 'pv-1' }));
    c.status = {
      phase: 'Bound',
      accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
      capacity: { storage: '1Gi' },
    };
    expect(pvcDef.columns.map((col) => `${col.name}/${col.priority}`)).toEqual([
      'Name/0',
      'Status/0',
      'Volume/0',
      'Capacity/0',
      'Access Modes/0',
      'StorageClass/0',
      'VolumeAttributesClass/0',
      'Age/0',
      'VolumeMode/1',
    ]);
    expect(pvcDef.row(c, { now: NOW })).toEqual([
      'www-web-0',
      'Bound',
      'pv-1',
      '1Gi',
      'RWO,ROX',
      'local-path',
      '<unset>',
      '60m',
      'Filesystem',
    ]);
  });

  it('shows no capacity or modes before binding, and Terminating while deleted', () => {
    const c = defaulted(pvc());
    expect(pvcDef.row(c, { now: NOW }).slice(1, 7)).toEqual(['Pending', '', '', '', '', '<unset>']);
    c.metadata.deletionTimestamp = '2026-11-30T04:59:00Z';
    expect(pvcDef.row(c, { now: NOW })[1]).toBe('Terminating');
  });

  it.each([
    [['ReadWriteOncePod'], 'RWOP'],
    [['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'], 'RWO,RWX'],
    [[], ''],
  ])('abbreviates %j as %j', (modes, text) => {
    expect(accessModesAsString(modes)).toBe(text);
  });

  it('keeps the legacy name field selector', () => {
    expect(objectFields(pvcDef, pvc()).name).toBe('www-web-0');
  });
});
