// batch/v1 CronJob: creates a Job from its jobTemplate on a cron schedule. Defaults
// (pkg/apis/batch/v1/defaults.go), validation (pkg/apis/batch/validation) and the `kubectl get cronjobs` row
// (pkg/printers/internalversion/printers.go) follow Kubernetes. Schedules and time zones are checked by the
// same parser the CronJob controller schedules with (src/common/cron.ts), so what the API accepts can run.
import { cronScheduleErrors } from '../../common/cron.js';
import { type FieldError, invalidValue, notSupported, required } from '../../common/errors.js';
import { fieldPath, type FieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import { formatLabelSelector } from '../selectors.js';
import type { CronJob, CronJobSpec } from '../types.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { goLabelSelector, invalidGo } from './go-format.js';
import { validateJobSpec } from './job-validation.js';
import {
  CONTAINERS_COLUMN,
  defaultPodTemplate,
  IMAGES_COLUMN,
  selectorColumn,
  specOf,
  statusSubresource,
  templateCells,
} from './workload-common.js';
import { isObject, validateNonNegativeFields } from './workload-validation.js';

/** Job names are `<cronjob>-<scheduled minute>` (11 more characters) and must stay within 63. */
export const MAX_CRONJOB_NAME_LENGTH = 52;
const POLICIES = ['Allow', 'Forbid', 'Replace'];

export function defaultCronJob(cj: CronJob): void {
  const spec = specOf<CronJobSpec>(cj);
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  // Only the pod template inside is defaulted; the Job defaults apply when the controller creates a Job.
  const jobSpec = isObject(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
  if (isObject(jobSpec)) defaultPodTemplate(jobSpec.template);
}

/** ValidateJobTemplateSpec: a Job spec whose selector the API server will generate. */
function validateJobTemplate(template: unknown, path: FieldPath): FieldError[] {
  if (!isObject(template)) return [required(String(path))];
  const spec = template.spec;
  const errs = validateJobSpec(spec, path.child('spec'));
  if (isObject(spec)) {
    if (spec.selector !== undefined && spec.selector !== null) {
      errs.push(
        invalidGo(
          String(path.child('spec', 'selector')),
          goLabelSelector(spec.selector),
          '`selector` will be auto-generated',
        ),
      );
    }
    if (spec.manualSelector === true) {
      errs.push(notSupported(String(path.child('spec', 'manualSelector')), true, ['nil', 'false']));
    }
  }
  return errs;
}

export function validateCronJob(cj: CronJob, old?: CronJob): FieldError[] {
  if (!isObject(cj.spec)) return [required('spec')];
  const spec = cj.spec;
  const p = fieldPath('spec');
  const errs: FieldError[] = [];
  const name = cj.metadata.name ?? '';
  // Only new CronJobs: older ones with longer names must stay updatable (and deletable with finalizers).
  if (!old && name.length > MAX_CRONJOB_NAME_LENGTH) {
    errs.push(
      invalidValue('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`),
    );
  }
  const timeZone = typeof spec.timeZone === 'string' ? spec.timeZone : undefined;
  if (spec.timeZone !== undefined && spec.timeZone !== null && timeZone === undefined) {
    errs.push(invalidValue(String(p.child('timeZone')), spec.timeZone, 'must be a string'));
  }
  if (typeof spec.schedule !== 'string' || spec.schedule === '')
    errs.push(required(String(p.child('schedule'))));
  // An old CronJob may keep a TZ= prefix it already had; its time zone is re-checked only when it changes.
  const allowTZ = typeof old?.spec?.schedule === 'string' && old.spec.schedule.includes('TZ');
  const checkZone = !old || old.spec?.timeZone !== spec.timeZone;
  const schedule = typeof spec.schedule === 'string' ? spec.schedule : '';
  for (const e of cronScheduleErrors(schedule, timeZone, allowTZ)) {
    if (e.field === 'schedule' && schedule !== '') {
      errs.push(invalidValue(String(p.child('schedule')), schedule, e.message));
    } else if (e.field === 'timeZone' && checkZone) {
      errs.push(invalidValue(String(p.child('timeZone')), timeZone, e.message));
    }
  }
  errs.push(...validateNonNegativeFields(spec, p, ['startingDeadlineSeconds']));
  const policy = spec.concurrencyPolicy;
  if (!policy) errs.push(required(String(p.child('concurrencyPolicy'))));
  else if (!POLICIES.includes(policy))
    errs.push(notSupported(String(p.child('concurrencyPolicy')), policy, POLICIES));
  errs.push(
    ...validateJobTemplate(spec.jobTemplate, p.child('jobTemplate')),
    ...validateNonNegativeFields(spec, p, ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']),
  );
  return errs;
}

/** printBoolPtr: `True`, `False`, or `<unset>`. */
function boolText(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

export const cronJobDef: ResourceDef<CronJob> = {
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  kind: 'CronJob',
  listKind: 'CronJobList',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: [statusSubresource('batch', 'CronJob')],
  statusSubresource: true,
  defaults: defaultCronJob,
  validate: validateCronJob,

  columns: [
    nameColumn(),
    column('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column(
      'Timezone',
      'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.',
    ),
    column(
      'Suspend',
      'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.',
      0,
      'boolean',
    ),
    column('Active', 'A list of pointers to currently running jobs.', 0, 'integer'),
    column('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(
      'A label query over pods that should match the pod count. Normally, the system sets this field for you.',
    ),
  ],
  row(cj, ctx) {
    const spec = isObject(cj.spec) ? cj.spec : ({} as Partial<CronJobSpec>);
    const status = isObject(cj.status) ? cj.status : {};
    const jobSpec =
      isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    const { names, images } = templateCells(jobSpec?.template);
    return [
      cj.metadata.name ?? '',
      typeof spec.schedule === 'string' ? spec.schedule : '',
      typeof spec.timeZone === 'string' ? spec.timeZone : '<none>',
      boolText(spec.suspend),
      Array.isArray(status.active) ? status.active.length : 0,
      status.lastScheduleTime ? translateTimestampSince(status.lastScheduleTime, ctx.now) : '<none>',
      translateTimestampSince(cj.metadata.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
};
