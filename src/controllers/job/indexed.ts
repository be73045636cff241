// Indexed Jobs (completionMode: Indexed): each pod gets a completion index 0..completions-1 (annotation and label
// batch.kubernetes.io/job-completion-index, env JOB_COMPLETION_INDEX, hostname <job>-<index>); the Job is done
// when every index has a succeeded pod, recorded in .status.completedIndexes as "0-2,5".
import type { Job, Pod, PodTemplateSpec } from '../../api/types.js';
import type { PodOverrides } from '../common/pod-control.js';
import { sortForRemoval } from './active-pods.js';
import { hasTrackingFinalizer, JOB_COMPLETION_INDEX, JOB_COMPLETION_INDEX_ENV } from './job-util.js';

/** The pod's completion index, or undefined when missing or malformed. */
export function completionIndex(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^\+?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** "1,3-5" → [1,3,4,5], dropping indexes ≥ completions and anything malformed. */
export function parseIndexes(s: string | undefined, completions: number): number[] {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    for (let i = first; i <= Math.min(last, completions - 1); i++) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/** [0,1,2,5] → "0-2,5". */
export function formatIndexes(indexes: number[]): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Indexes already in the status, and those plus the ones with a succeeded pod not yet counted. */
export function succeededIndexes(job: Job, pods: Pod[]): { prev: number[]; all: number[] } {
  const completions = job.spec.completions ?? 0;
  const prev = parseIndexes(job.status?.completedIndexes, completions);
  const all = new Set(prev);
  for (const p of pods) {
    const ix = completionIndex(p);
    if (p.status?.phase === 'Succeeded' && ix !== undefined && ix < completions && hasTrackingFinalizer(p)) {
      all.add(ix);
    }
  }
  return { prev, all: [...all].sort((a, b) => a - b) };
}

/** The lowest `count` indexes that neither succeeded nor have an active pod. */
export function firstPendingIndexes(
  activePods: Pod[],
  succeeded: number[],
  count: number,
  completions: number,
): number[] {
  const taken = new Set(succeeded);
  for (const p of activePods) {
    const ix = completionIndex(p);
    if (ix !== undefined) taken.add(ix);
  }
  const result: number[] = [];
  for (let i = 0; i < completions && result.length < count; i++) if (!taken.has(i)) result.push(i);
  return result;
}

/**
 * Active pods that must go regardless of counts: without a valid index, with an index ≥ completions, or
 * duplicates of an index (the one that has done the most work stays).
 */
export function invalidOrDuplicatePods(pods: Pod[], completions: number): { rm: Pod[]; left: Pod[] } {
  const rm: Pod[] = [];
  const left: Pod[] = [];
  const byIndex = new Map<number, Pod[]>();
  for (const p of pods) {
    const ix = completionIndex(p);
    if (ix === undefined || ix >= completions) rm.push(p);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
  }
  for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
    const same = sortForRemoval(byIndex.get(ix)!);
    rm.push(...same.slice(0, -1));
    left.push(same[same.length - 1]);
  }
  return { rm, left };
}

/** The pod template of an Indexed Job: every container can read its index from JOB_COMPLETION_INDEX. */
export function withCompletionIndexEnv(template: PodTemplateSpec): PodTemplateSpec {
  const t = structuredClone(template);
  const fieldPath = `metadata.annotations['${JOB_COMPLETION_INDEX}']`;
  for (const c of [...(t.spec.initContainers ?? []), ...t.spec.containers]) {
    if (c.env?.some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) continue;
    c.env = [...(c.env ?? []), { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath } } }];
  }
  return t;
}

/** Kubernetes caps generated names at 58 characters (63 minus the random suffix). */
const MAX_GENERATED_NAME_LENGTH = 58;

export function indexedPodOverrides(job: Job, index: number): PodOverrides {
  const name = job.metadata.name ?? '';
  const suffix = `-${index}-`;
  let generateName = `${name}${suffix}`;
  if (generateName.length > MAX_GENERATED_NAME_LENGTH) {
    generateName = generateName.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix;
  }
  return {
    generateName,
    annotations: { [JOB_COMPLETION_INDEX]: String(index) },
    labels: { [JOB_COMPLETION_INDEX]: String(index) },
    mutateSpec: (spec) => {
      spec.hostname = `${name}-${index}`;
    },
  };
}
