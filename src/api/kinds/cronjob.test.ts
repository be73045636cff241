import { describe, expect, it } from 'vitest';
import type { CronJob, CronJobSpec } from '../types.js';
import { cronJobDef } from './cronjob.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function cronJob(spec: Partial<CronJobSpec> = {}, name = 'hello'): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default', creationTimestamp: '2026-11-30T04:00:00Z' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'hello', image: 'busybox', command: ['date'] }],
              restartPolicy: 'OnFailure',
            },
          },
        },
      },
      ...spec,
    },
  };
}

function defaulted(cj: CronJob): CronJob {
  cronJobDef.defaults!(cj);
  return cj;
}

const problems = (cj: CronJob, old?: CronJob) =>
  cronJobDef.validate!(cj, old).map((e) => `${e.field}: ${e.message}`);

describe('cronjob defaults (SetDefaults_CronJob)', () => {
  it('fills concurrencyPolicy, suspend and the history limits', () => {
    expect(defaulted(cronJob()).spec).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
  });

  it('keeps given values, including limits of 0', () => {
    const spec = defaulted(
      cronJob({
        concurrencyPolicy: 'Forbid',
        suspend: true,
        successfulJobsHistoryLimit: 0,
        failedJobsHistoryLimit: 0,
      }),
    ).spec;
    expect(spec).toMatchObject({
      concurrencyPolicy: 'Forbid',
      suspend: true,
      successfulJobsHistoryLimit: 0,
      failedJobsHistoryLimit: 0,
    });
  });

  it('defaults only the pod template of the job template (Job defaults come with each Job)', () => {
    const jobSpec = defaulted(cronJob()).spec.jobTemplate.spec;
    expect(jobSpec.template.spec).toMatchObject({ dnsPolicy: 'ClusterFirst', restartPolicy: 'OnFailure' });
    expect(jobSpec.backoffLimit).toBeUndefined();
    expect(jobSpec.completions).toBeUndefined();
  });
});

describe('cronjob validation', () => {
  it('accepts a defaulted cronjob', () => {
    expect(problems(defaulted(cronJob()))).toEqual([]);
  });

  it.each(['0 * * * *', '*/5 9-17 * * MON-FRI', '@hourly', '@daily', '@weekly', '0 0 1 1 *', '30 2 * * 0'])(
    'accepts the schedule %j',
    (schedule) => {
      expect(problems(defaulted(cronJob({ schedule })))).toEqual([]);
    },
  );

  it.each<[string, Partial<CronJobSpec>, string[]]>([
    ['no schedule', { schedule: '' }, ['spec.schedule: Required value']],
    [
      'four fields',
      { schedule: '* * * *' },
      ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: * * * *'],
    ],
    [
      'minute out of range',
      { schedule: '61 * * * *' },
      ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
    ],
    [
      'unknown descriptor',
      { schedule: '@often' },
      ['spec.schedule: Invalid value: "@often": unrecognized descriptor: @often'],
    ],
    [
      'a TZ prefix',
      { schedule: 'TZ=Europe/Berlin 0 * * * *' },
      [
        'spec.schedule: Invalid value: "TZ=Europe/Berlin 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ],
    ],
    ['a good time zone', { timeZone: 'Europe/Berlin' }, []],
    [
      'an unknown time zone',
      { timeZone: 'Mars/Olympus' },
      ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
    ],
    [
      'the Local zone',
      { timeZone: 'Local' },
      [
        'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ],
    ],
    [
      'an empty time zone',
      { timeZone: '' },
      ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'],
    ],
    [
      'unknown concurrency policy',
      { concurrencyPolicy: 'Sometimes' as 'Allow' },
      [
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      ],
    ],
    [
      'negative startingDeadlineSeconds',
      { startingDeadlineSeconds: -1 },
      ['spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'negative history limit',
      { failedJobsHistoryLimit: -1 },
      ['spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'a job template with restartPolicy Always',
      {
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Always' } } },
        },
      },
      [
        'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      ],
    ],
    [
      'a job template with a selector',
      {
        jobTemplate: {
          spec: {
            selector: { matchLabels: { a: 'b' } },
            template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } },
          },
        },
      },
      [
        'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
      ],
    ],
    [
      'a job template with manualSelector',
      {
        jobTemplate: {
          spec: {
            manualSelector: true,
            template: { spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } },
          },
        },
      },
      ['spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"'],
    ],
    ['no job template', { jobTemplate: undefined as never }, ['spec.jobTemplate: Required value']],
  ])('%s', (_name, spec, expected) => {
    expect(problems(defaulted(cronJob(spec)))).toEqual(expected);
  });

  it('limits new names to 52 characters (Job names add 11), but not on update', () => {
    const long = defaulted(cronJob({}, 'a'.repeat(53)));
    expect(problems(long)).toEqual([
      `metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`,
    ]);
    expect(problems(long, long)).toEqual([]);
    expect(problems(defaulted(cronJob({}, 'a'.repeat(52))))).toEqual([]);
  });

  it('lets an old CronJob keep its TZ prefix, but not together with timeZone', () => {
    const old = defaulted(cronJob({ schedule: 'TZ=UTC 0 * * * *' }));
    expect(problems(structuredClone(old), old)).toEqual([]);
    const both = structuredClone(old);
    both.spec.timeZone = 'UTC';
    expect(problems(both, old)).toEqual([
      'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule',
    ]);
  });
});

describe('cronjob table row', () => {
  it('prints Name, Schedule, Timezone, Suspend, Active, Last Schedule, Age | Containers, Images, Selector', () => {
    const cj = defaulted(cronJob({ timeZone: 'Europe/Berlin' }));
    cj.status = {
      active: [{ kind: 'Job', name: 'hello-29000000', namespace: 'default' }],
      lastScheduleTime: '2026-11-30T04:59:00Z',
    };
    expect(cronJobDef.columns.map((c) => `${c.name}/${c.priority}`)).toEqual([
      'Name/0',
      'Schedule/0',
      'Timezone/0',
      'Suspend/0',
      'Active/0',
      'Last Schedule/0',
      'Age/0',
      'Containers/1',
      'Images/1',
      'Selector/1',
    ]);
    expect(cronJobDef.row(cj, { now: NOW })).toEqual([
      'hello',
      '*/1 * * * *',
      'Europe/Berlin',
      'False',
      1,
      '60s',
      '60m',
      'hello',
      'busybox',
      '<none>',
    ]);
  });

  it('prints <none> for no time zone and no schedule yet', () => {
    const row = cronJobDef.row(defaulted(cronJob()), { now: NOW });
    expect([row[2], row[3], row[4], row[5]]).toEqual(['<none>', 'False', 0, '<none>']);
  });
});
