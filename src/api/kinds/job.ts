// batch/v1 Job: runs pods until a number of them succeed. Defaults (pkg/apis/batch/v1/defaults.go), the
// selector the API server generates from the Job's uid (pkg/registry/batch/job/strategy.go), validation
// (job-validation.ts) and the `kubectl get jobs` row (pkg/printers/internalversion/printers.go) follow Kubernetes.
import { formatAge, translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import { formatLabelSelector } from '../selectors.js';
import type { Job, JobCondition } from '../types.js';
import { ageColumn, column, nameColumn } from './columns.js';
import {
  CONTROLLER_UID_LABEL,
  type FullJobSpec,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  validateJob,
} from './job-validation.js';
import {
  CONTAINERS_COLUMN,
  count,
  defaultPodTemplate,
  IMAGES_COLUMN,
  selectorColumn,
  specOf,
  statusSubresource,
  templateCells,
} from './workload-common.js';
import { isObject } from './workload-validation.js';

const MAX_INT32 = 2147483647;
const isSet = (v: unknown) => v !== undefined && v !== null;

/** A Job without labels of its own shows its pod template's labels (Kubernetes defaults them on every read). */
function labelsFromTemplate(job: Job): void {
  const labels = isObject(job.spec?.template?.metadata) ? job.spec.template.metadata.labels : undefined;
  const own = job.metadata.labels;
  if (isObject(labels) && (!isObject(own) || Object.keys(own).length === 0)) {
    job.metadata.labels = { ...labels };
  }
}

/** SetDefaults_Job plus the pod defaults of its template. */
export function defaultJob(job: Job): void {
  const spec = specOf<FullJobSpec>(job);
  if (!isSet(spec.completions) && !isSet(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= isSet(spec.backoffLimitPerIndex) ? MAX_INT32 : 6;
  labelsFromTemplate(job);
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  const rules =
    isObject(spec.podFailurePolicy) && Array.isArray(spec.podFailurePolicy.rules)
      ? spec.podFailurePolicy.rules
      : [];
  for (const rule of rules) {
    if (!isObject(rule) || !Array.isArray(rule.onPodConditions)) continue;
    for (const pattern of rule.onPodConditions) if (isObject(pattern)) pattern.status ||= 'True';
  }
  spec.podReplacementPolicy ??= isObject(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  defaultPodTemplate(spec.template);
}

/**
 * generateSelector: pods of this Job carry its name and uid as labels and the selector picks them by uid, so a
 * Job never adopts another Job's pods. Needs the uid and final name, hence create-only after both are set.
 */
export function generateJobSelector(job: Job): void {
  if (!isObject(job.spec) || job.spec.manualSelector === true) return;
  const spec = job.spec;
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  if (isObject(spec.template)) {
    if (!isObject(spec.template.metadata)) spec.template.metadata = {};
    const meta = spec.template.metadata;
    if (!isObject(meta.labels)) meta.labels = {};
    // Labels the user already set are kept; validation rejects them if they conflict.
    for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL])
      if (!Object.hasOwn(meta.labels, key)) meta.labels[key] = name;
    for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) {
      if (!Object.hasOwn(meta.labels, key)) meta.labels[key] = uid;
    }
  }
  if (!isObject(spec.selector)) spec.selector = {};
  if (!isObject(spec.selector.matchLabels)) spec.selector.matchLabels = {};
  if (!Object.hasOwn(spec.selector.matchLabels, CONTROLLER_UID_LABEL))
    spec.selector.matchLabels[CONTROLLER_UID_LABEL] = uid;
}

function hasCondition(job: Job, type: JobCondition['type']): boolean {
  const conditions =
    isObject(job.status) && Array.isArray(job.status.conditions) ? job.status.conditions : [];
  return conditions.some((c) => isObject(c) && c.type === type && c.status === 'True');
}

/** The STATUS cell, in Kubernetes' order of precedence. */
export function jobStatusText(job: Job): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** COMPLETIONS: `succeeded/completions`, or `n/1 of p` for a work queue Job with parallelism p. */
function completionsText(job: Job): string {
  const spec = isObject(job.spec) ? job.spec : ({} as Partial<FullJobSpec>);
  const succeeded = count(isObject(job.status) ? job.status.succeeded : 0);
  if (isSet(spec.completions)) return `${succeeded}/${count(spec.completions)}`;
  const parallelism = count(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** DURATION: from start to completion, or to now while running; empty before the Job starts. */
function durationText(job: Job, now: number): string {
  const status = isObject(job.status) ? job.status : {};
  const start = Date.parse(status.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(status.completionTime ?? '');
  return formatAge((Number.isNaN(end) ? now : end) - start);
}

export const jobDef: ResourceDef<Job> = {
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  kind: 'Job',
  listKind: 'JobList',
  singular: 'job',
  namespaced: true,
  shortNames: [],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: [statusSubresource('batch', 'Job')],
  statusSubresource: true,
  defaults: defaultJob,
  prepareForCreate(job) {
    generateJobSelector(job);
    labelsFromTemplate(job);
  },
  validate: validateJob,

  columns: [
    nameColumn(),
    column('Status', 'Status of the job.'),
    column('Completions', 'The number of pods which reached phase Succeeded.'),
    column('Duration', 'Time required to complete the job.'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(
      'A label query over pods that should match the pod count. Normally, the system sets this field for you.',
    ),
  ],
  row(job, ctx) {
    const spec = isObject(job.spec) ? job.spec : ({} as Partial<FullJobSpec>);
    const { names, images } = templateCells(spec.template);
    return [
      job.metadata.name ?? '',
      jobStatusText(job),
      completionsText(job),
      durationText(job, ctx.now),
      translateTimestampSince(job.metadata.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
  fields: (job) => ({ 'status.successful': String(count(isObject(job.status) ? job.status.succeeded : 0)) }),
};
