import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import type { Pod, Toleration } from '../api/types.js';
import { isApiError } from '../common/errors.js';
import { MemoryStore } from '../store/memory-store.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { withDefaultTolerations } from './admission-default-tolerations.js';
import { ResourceService } from './resource-service.js';
import { CONFIGMAPS, PODS, pod } from './test-support.js';

const NR = 'node.kubernetes.io/not-ready';
const UR = 'node.kubernetes.io/unreachable';
const SECS = { notReady: 5, unreachable: 7 };
const notReady = { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 } as const;
const unreachable = { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 7 } as const;

describe('withDefaultTolerations', () => {
  const cases: { name: string; have: Toleration[]; want: Toleration[] }[] = [
    { name: 'none: both added', have: [], want: [notReady, unreachable] },
    {
      name: 'unrelated tolerations are kept, the defaults appended',
      have: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
      want: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }, notReady, unreachable],
    },
    {
      name: 'the pod’s own unreachable toleration wins (its seconds kept)',
      have: [{ key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }],
      want: [{ key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }, notReady],
    },
    {
      name: 'a toleration without an effect covers NoExecute',
      have: [{ key: NR, operator: 'Exists' }],
      want: [{ key: NR, operator: 'Exists' }, unreachable],
    },
    {
      name: 'an empty key with Exists covers both',
      have: [{ operator: 'Exists' }],
      want: [{ operator: 'Exists' }],
    },
    {
      name: 'a NoSchedule toleration of the key does not cover NoExecute',
      have: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }],
      want: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }, notReady, unreachable],
    },
    {
      name: 'DaemonSet pods (both, no seconds) are left as they are',
      have: [
        { key: NR, operator: 'Exists', effect: 'NoExecute' },
        { key: UR, operator: 'Exists', effect: 'NoExecute' },
      ],
      want: [
        { key: NR, operator: 'Exists', effect: 'NoExecute' },
        { key: UR, operator: 'Exists', effect: 'NoExecute' },
      ],
    },
  ];
  it.each(cases)('$name', ({ have, want }) => {
    expect(withDefaultTolerations(have, SECS)).toEqual(want);
  });
});

describe('DefaultTolerationSeconds admission in the API server', () => {
  async function service(defaultTolerationSeconds?: { notReady: number; unreachable: number }) {
    const svc = new ResourceService({
      store: new MemoryStore(),
      registry: defaultRegistry(),
      clock: new FakeClock(),
      defaultTolerationSeconds,
    });
    await svc.ensureSystemNamespaces();
    return svc;
  }

  it('adds the tolerations to every created pod (dry runs too), and to nothing else', async () => {
    const svc = await service(SECS);
    const created = (await svc.create(PODS, 'default', pod('web'))) as Pod;
    expect(created.spec.tolerations).toEqual([notReady, unreachable]);
    const dry = (await svc.create(PODS, 'default', pod('dry'), { dryRun: true })) as Pod;
    expect(dry.spec.tolerations).toEqual([notReady, unreachable]);
    const cm = await svc.create(CONFIGMAPS, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { a: 'b' },
    });
    expect(cm.spec).toBeUndefined();
  });

  it('keeps a pod’s own tolerations, and does not run on updates', async () => {
    const svc = await service(SECS);
    const body = pod('own');
    body.spec.tolerations = [{ key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }];
    const created = (await svc.create(PODS, 'default', body)) as Pod;
    expect(created.spec.tolerations).toEqual([
      { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 },
      notReady,
    ]);
    const updated = (await svc.update(PODS, 'default', 'own', {
      ...created,
      metadata: { ...created.metadata, labels: { a: 'b' } },
    })) as Pod;
    expect(updated.spec.tolerations).toEqual(created.spec.tolerations);
  });

  it('is off unless configured', async () => {
    const svc = await service();
    const created = (await svc.create(PODS, 'default', pod('plain'))) as Pod;
    expect(created.spec.tolerations).toBeUndefined();
  });

  it('leaves malformed tolerations to validation (422, not a crash)', async () => {
    const svc = await service(SECS);
    const body = pod('bad');
    body.spec.tolerations = 'everything';
    const err = await svc.create(PODS, 'default', body).catch((e: unknown) => e);
    expect(isApiError(err, 'Invalid')).toBe(true);
    const nulls = pod('nulls');
    nulls.spec.tolerations = [null];
    const err2 = await svc.create(PODS, 'default', nulls).catch((e: unknown) => e);
    expect(isApiError(err2) && err2.code).toBeGreaterThanOrEqual(400);
  });
});
