// Validation of batch/v1 Jobs and of the job template inside a CronJob (pkg/apis/batch/validation): counts,
// completion modes, the pod template with its OnFailure/Never restart policy, the generated selector, and
// what may change after creation (the template only while a never-started Job is suspended).
import { type FieldError, invalidValue, notSupported, required } from '../../common/errors.js';
import { fieldPath, type FieldPath } from '../field-path.js';
import { jsonEqual } from '../object-meta.js';
import type { Job, JobSpec, LabelSelector } from '../types.js';
import { isDns1123Label } from '../validation.js';
import { goLabelSelector, goStringMap, invalidGo } from './go-format.js';
import {
  immutableSelector,
  isObject,
  selectorMatches,
  selectorMismatch,
  validateLabelSelector,
  validateNonNegativeFields,
  validatePodTemplate,
} from './workload-validation.js';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

/** JobSpec fields skiff stores and checks but whose behaviour (indexes, failure policies) is Kubernetes'. */
export type FullJobSpec = JobSpec & {
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  podFailurePolicy?: { rules?: unknown[] };
  managedBy?: string;
  successPolicy?: unknown;
};

const MAX_INDEXED_PARALLELISM = 100000;
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];
const s = (p: FieldPath) => String(p);
const isSet = (v: unknown) => v !== undefined && v !== null;

/** validateJobSpec: everything but the selector (a CronJob's job template has none yet). */
export function validateJobSpec(spec: unknown, path: FieldPath): FieldError[] {
  if (!isObject(spec)) return [required(s(path))];
  const js = spec as FullJobSpec;
  const errs = validateNonNegativeFields(js, path, [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
  ]);
  if (isSet(js.maxFailedIndexes) && !isSet(js.backoffLimitPerIndex)) {
    errs.push(
      required(s(path.child('backoffLimitPerIndex')), 'Required value: when maxFailedIndexes is specified'),
    );
  }
  const mode = js.completionMode;
  if (isSet(mode) && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errs.push(notSupported(s(path.child('completionMode')), mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed') {
    if (!isSet(js.completions)) {
      errs.push(required(s(path.child('completions')), 'Required value: when completion mode is Indexed'));
    }
    if (typeof js.parallelism === 'number' && js.parallelism > MAX_INDEXED_PARALLELISM) {
      errs.push(
        invalidValue(
          s(path.child('parallelism')),
          js.parallelism,
          `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`,
        ),
      );
    }
  } else {
    for (const field of ['backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
      if (isSet(js[field]))
        errs.push(invalidValue(s(path.child(field)), js[field], 'requires indexed completion mode'));
    }
  }
  const replacement = js.podReplacementPolicy;
  if (isSet(replacement)) {
    const allowed = isSet(js.podFailurePolicy) ? ['Failed'] : REPLACEMENT_POLICIES;
    if (!allowed.includes(replacement as string)) {
      errs.push(notSupported(s(path.child('podReplacementPolicy')), replacement, allowed));
    }
  }
  errs.push(...validatePodTemplate(js.template, path.child('template')));
  // The template's restartPolicy defaults to Always, which a Job cannot use: say which values it can.
  const template = js.template;
  if (isObject(template) && isObject(template.spec)) {
    const policy = template.spec.restartPolicy;
    const policyPath = s(path.child('template', 'spec', 'restartPolicy'));
    if (policy === 'Always' || !policy) {
      errs.push(required(policyPath, 'Required value: valid values: "OnFailure", "Never"'));
    } else if (policy !== 'OnFailure' && policy !== 'Never') {
      errs.push(notSupported(policyPath, policy, ['OnFailure', 'Never']));
    } else if (isSet(js.podFailurePolicy) && policy !== 'Never') {
      errs.push(
        invalidValue(policyPath, policy, 'only "Never" is supported when podFailurePolicy is specified'),
      );
    }
  }
  return errs;
}

/** ValidateHasLabel: the generated label must be on the template with the generated value. */
function hasLabel(labels: unknown, path: FieldPath, key: string, want: string): FieldError[] {
  const map = isObject(labels) ? labels : {};
  const p = s(path.child('labels').key(key));
  if (!Object.hasOwn(map, key)) return [required(p, `Required value: must be '${want}'`)];
  return map[key] === want ? [] : [invalidGo(p, goStringMap(map), `must be '${want}'`)];
}

/** validateGeneratedSelector: without manualSelector, the selector and labels are the generated ones. */
function validateGeneratedSelector(job: Job, requirePrefixed: boolean): FieldError[] {
  const spec = job.spec;
  if (spec.manualSelector === true || !isSet(spec.selector)) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  if (!uid) errs.push(required('metadata.uid'));
  const templateMeta =
    isObject(spec.template) && isObject(spec.template.metadata) ? spec.template.metadata : {};
  const metaPath = fieldPath('spec', 'template', 'metadata');
  errs.push(
    ...hasLabel(templateMeta.labels, metaPath, LEGACY_CONTROLLER_UID_LABEL, uid),
    ...hasLabel(templateMeta.labels, metaPath, LEGACY_JOB_NAME_LABEL, name),
  );
  const expected: Record<string, string> = {};
  if (requirePrefixed) {
    errs.push(
      ...hasLabel(templateMeta.labels, metaPath, CONTROLLER_UID_LABEL, uid),
      ...hasLabel(templateMeta.labels, metaPath, JOB_NAME_LABEL, name),
    );
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  expected[LEGACY_CONTROLLER_UID_LABEL] = uid;
  expected[LEGACY_JOB_NAME_LABEL] = name;
  if (!selectorMatches(spec.selector as LabelSelector, expected)) {
    errs.push(invalidGo('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

/** ValidateJob (+ ValidateJobUpdate when `old` is the stored Job). */
export function validateJob(job: Job, old?: Job): FieldError[] {
  if (!isObject(job.spec)) return [required('spec')];
  const spec = job.spec as FullJobSpec;
  const p = fieldPath('spec');
  // Jobs created before the batch.kubernetes.io/ labels existed are not held to them.
  const oldLabels = isObject(old?.spec?.template?.metadata?.labels) ? old.spec.template.metadata.labels : {};
  const requirePrefixed = !old || (JOB_NAME_LABEL in oldLabels && CONTROLLER_UID_LABEL in oldLabels);
  const errs = [...validateGeneratedSelector(job, requirePrefixed), ...validateJobSpec(spec, p)];
  if (!isSet(spec.selector)) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, p.child('selector')));
  errs.push(...selectorMismatch(spec.selector, spec.template, p.child('template')));
  if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    // Indexed pods are named and hostnamed <job>-<index>.
    const host = `${job.metadata.name ?? ''}-${spec.completions - 1}`;
    if (isDns1123Label(host).length > 0) {
      errs.push(
        invalidValue(
          'metadata.name',
          job.metadata.name,
          `will not able to create pod with invalid DNS label: ${host}`,
        ),
      );
    }
  }
  if (old && isObject(old.spec)) errs.push(...validateJobUpdate(spec, old));
  errs.push(
    ...validateNonNegativeFields(job.status, fieldPath('status'), [
      'active',
      'succeeded',
      'failed',
      'ready',
      'terminating',
    ]),
  );
  return errs;
}

const immutable = (path: string, value: unknown) => invalidValue(path, value ?? null, 'field is immutable');

function validateJobUpdate(spec: FullJobSpec, old: Job): FieldError[] {
  const before = old.spec as FullJobSpec;
  const errs: FieldError[] = [];
  if (!jsonEqual(spec.completions, before.completions)) {
    // Indexed Jobs are elastic: completions may change together with parallelism.
    if (spec.completionMode !== 'Indexed') errs.push(immutable('spec.completions', spec.completions));
    else if (isSet(spec.completions) && spec.completions !== spec.parallelism) {
      errs.push(
        invalidValue(
          'spec.completions',
          spec.completions,
          'can only be modified in tandem with spec.parallelism',
        ),
      );
    }
  }
  errs.push(...immutableSelector(spec.selector, before.selector, fieldPath('spec', 'selector')));
  // A suspended Job that never started may still have its scheduling directives changed (Kueue does this).
  const mayReschedule = before.suspend === true && !old.status?.startTime;
  let oldTemplate: unknown = before.template;
  if (mayReschedule && isObject(before.template) && isObject(spec.template)) {
    const t = structuredClone(before.template);
    const next = spec.template;
    t.metadata = {
      ...(t.metadata ?? {}),
      labels: next.metadata?.labels,
      annotations: next.metadata?.annotations,
    };
    if (isObject(t.spec) && isObject(next.spec)) {
      const nextSpec = next.spec as unknown as Record<string, unknown>;
      const oldSpec = t.spec as unknown as Record<string, unknown>;
      for (const field of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates'])
        oldSpec[field] = nextSpec[field];
    }
    oldTemplate = t;
  }
  if (!jsonEqual(spec.template, oldTemplate)) errs.push(immutable('spec.template', spec.template));
  for (const field of [
    'completionMode',
    'podFailurePolicy',
    'backoffLimitPerIndex',
    'managedBy',
    'successPolicy',
  ] as const) {
    if (!jsonEqual(spec[field], before[field])) errs.push(immutable(`spec.${field}`, spec[field]));
  }
  return errs;
}
