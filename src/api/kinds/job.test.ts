import { describe, expect, it } from 'vitest';
import { objectFields } from '../selectors.js';
import type { Job, JobSpec } from '../types.js';
import { generateJobSelector, jobDef } from './job.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');
const UID = '2b0c9d1e-8f1a-4a43-9a26-7f3c5d1b2e10';

function job(spec: Partial<JobSpec> = {}, name = 'pi'): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: UID, creationTimestamp: '2026-11-30T04:55:00Z' },
    spec: {
      template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], restartPolicy: 'Never' } },
      ...spec,
    },
  };
}

/** What the API server does on create: defaults, then the generated selector. */
function created(j: Job): Job {
  jobDef.defaults!(j);
  jobDef.prepareForCreate!(j);
  return j;
}

const problems = (j: Job, old?: Job) => jobDef.validate!(j, old).map((e) => `${e.field}: ${e.message}`);

describe('job defaults (SetDefaults_Job)', () => {
  it.each<[string, Partial<JobSpec>, Record<string, unknown>]>([
    [
      'a plain job',
      {},
      {
        completions: 1,
        parallelism: 1,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        manualSelector: false,
      },
    ],
    ['parallelism alone leaves completions unset', { parallelism: 3 }, { parallelism: 3 }],
    ['completions alone gets parallelism 1', { completions: 5 }, { completions: 5, parallelism: 1 }],
    ['explicit backoffLimit 0 is kept', { backoffLimit: 0 }, { backoffLimit: 0 }],
    [
      'per-index backoff makes the global limit unlimited',
      { completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 } as Partial<JobSpec>,
      { backoffLimit: 2147483647 },
    ],
    [
      'a pod failure policy makes replacement wait for Failed',
      { podFailurePolicy: { rules: [] } } as Partial<JobSpec>,
      { podReplacementPolicy: 'Failed' },
    ],
  ])('%s', (_name, spec, expected) => {
    const j = job(spec);
    jobDef.defaults!(j);
    expect(j.spec).toMatchObject(expected);
  });

  it('leaves completions unset for a work queue (parallelism only)', () => {
    const j = job({ parallelism: 3 });
    jobDef.defaults!(j);
    expect(j.spec.completions).toBeUndefined();
  });

  it('defaults the pod template (its restartPolicy only when missing)', () => {
    const j = job();
    jobDef.defaults!(j);
    expect(j.spec.template.spec).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'ClusterFirst' });
  });

  it('copies template labels onto a Job without labels', () => {
    const j = job({ template: { metadata: { labels: { app: 'pi' } }, spec: job().spec.template.spec } });
    jobDef.defaults!(j);
    expect(j.metadata.labels).toEqual({ app: 'pi' });
  });
});

describe('job selector generation (on create)', () => {
  it('labels the template with name and uid, selects by uid, and labels the Job like its pods', () => {
    const j = created(job());
    expect(j.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': UID } });
    const podLabels = {
      'batch.kubernetes.io/controller-uid': UID,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': UID,
      'job-name': 'pi',
    };
    expect(j.spec.template.metadata?.labels).toEqual(podLabels);
    expect(j.metadata.labels).toEqual(podLabels);
    expect(problems(j)).toEqual([]);
  });

  it('keeps the Job labels it has, and the template labels the user set', () => {
    const j = job({ template: { metadata: { labels: { app: 'pi' } }, spec: job().spec.template.spec } });
    j.metadata.labels = { team: 'math' };
    created(j);
    expect(j.metadata.labels).toEqual({ team: 'math' });
    expect(j.spec.template.metadata?.labels).toMatchObject({ app: 'pi', 'job-name': 'pi' });
    expect(problems(j)).toEqual([]);
  });

  it('leaves a manual selector alone', () => {
    const j = job({
      manualSelector: true,
      selector: { matchLabels: { app: 'pi' } },
      template: { metadata: { labels: { app: 'pi' } }, spec: job().spec.template.spec },
    });
    created(j);
    expect(j.spec.selector).toEqual({ matchLabels: { app: 'pi' } });
    expect(j.spec.template.metadata?.labels).toEqual({ app: 'pi' });
    expect(problems(j)).toEqual([]);
  });

  it('rejects a selector the user set without manualSelector', () => {
    const j = job({ selector: { matchLabels: { app: 'pi' } } });
    created(j);
    expect(problems(j)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"pi", "batch.kubernetes.io/controller-uid":"' +
        UID +
        '"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
      'spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"' +
        UID +
        '", "batch.kubernetes.io/job-name":"pi", "controller-uid":"' +
        UID +
        '", "job-name":"pi"}: `selector` does not match template `labels`',
    ]);
  });

  it('rejects conflicting generated labels', () => {
    const j = job({
      template: { metadata: { labels: { 'job-name': 'other' } }, spec: job().spec.template.spec },
    });
    created(j);
    expect(problems(j)[0]).toBe(
      `spec.template.metadata.labels[job-name]: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"${UID}", "batch.kubernetes.io/job-name":"pi", "controller-uid":"${UID}", "job-name":"other"}: must be 'pi'`,
    );
  });

  it('is idempotent', () => {
    const j = created(job());
    const again = structuredClone(j);
    generateJobSelector(again);
    expect(again).toEqual(j);
  });
});

describe('job validation', () => {
  it.each<[string, Partial<JobSpec>, string[]]>([
    [
      'restartPolicy defaulted to Always',
      { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
      ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ],
    [
      'restartPolicy Always',
      { template: { spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Always' } } },
      ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    ],
    [
      'negative parallelism',
      { parallelism: -1 },
      ['spec.parallelism: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'negative backoffLimit',
      { backoffLimit: -1 },
      ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'negative activeDeadlineSeconds',
      { activeDeadlineSeconds: -10 },
      ['spec.activeDeadlineSeconds: Invalid value: -10: must be greater than or equal to 0'],
    ],
    [
      'negative ttlSecondsAfterFinished',
      { ttlSecondsAfterFinished: -1 },
      ['spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'unknown completion mode',
      { completionMode: 'Sometimes' as 'Indexed' },
      ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'],
    ],
    [
      'Indexed without completions',
      { completionMode: 'Indexed', parallelism: 2 },
      ['spec.completions: Required value: when completion mode is Indexed'],
    ],
    [
      'backoffLimitPerIndex on a NonIndexed Job',
      { backoffLimitPerIndex: 1 } as Partial<JobSpec>,
      ['spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode'],
    ],
    [
      'unknown pod replacement policy',
      { podReplacementPolicy: 'Eventually' },
      [
        'spec.podReplacementPolicy: Unsupported value: "Eventually": supported values: "Failed", "TerminatingOrFailed"',
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(problems(created(job(spec)))).toEqual(expected);
  });

  it('checks the hostnames of an Indexed Job', () => {
    const name = 'a'.repeat(62);
    expect(problems(created(job({ completionMode: 'Indexed', completions: 10 }, name)))).toEqual([
      `metadata.name: Invalid value: "${name}": will not able to create pod with invalid DNS label: ${name}-9`,
    ]);
  });

  it('requires a uid for a generated selector', () => {
    const j = created(job());
    delete j.metadata.uid;
    expect(problems(j)).toContain('metadata.uid: Required value');
  });
});

describe('job updates', () => {
  it('allows changing parallelism, suspend, activeDeadlineSeconds and labels', () => {
    const old = created(job());
    const next = structuredClone(old);
    Object.assign(next.spec, { parallelism: 4, suspend: true, activeDeadlineSeconds: 60 });
    next.metadata.labels = { ...next.metadata.labels, extra: 'yes' };
    expect(problems(next, old)).toEqual([]);
  });

  it.each<[string, (spec: JobSpec) => void, string]>([
    ['completions', (s) => (s.completions = 3), 'spec.completions: Invalid value: 3: field is immutable'],
    [
      'selector',
      (s) => (s.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': UID, 'job-name': 'pi' } }),
      `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"${UID}", "job-name":"pi"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`,
    ],
    [
      'completionMode',
      (s) => (s.completionMode = 'Indexed'),
      'spec.completionMode: Invalid value: "Indexed": field is immutable',
    ],
  ])('rejects a change of %s', (_name, change, expected) => {
    const old = created(job());
    const next = structuredClone(old);
    change(next.spec);
    expect(problems(next, old)).toContain(expected);
  });

  it('keeps the template immutable', () => {
    const old = created(job());
    const next = structuredClone(old);
    next.spec.template.spec.containers[0].image = 'perl:5.36';
    const errs = problems(next, old);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(
      /^spec\.template: Invalid value: \{.*"image":"perl:5\.36".*\}: field is immutable$/,
    );
  });

  it('lets a suspended Job that never started change its scheduling directives, but not its containers', () => {
    const old = created(job({ suspend: true }));
    const next = structuredClone(old);
    next.spec.template.spec.nodeSelector = { zone: 'b' };
    next.spec.template.metadata!.annotations = { queue: 'fast' };
    expect(problems(next, old)).toEqual([]);
    next.spec.template.spec.containers[0].image = 'perl:5.36';
    expect(problems(next, old)).toHaveLength(1);
    old.status = { startTime: '2026-11-30T04:56:00Z' };
    const started = structuredClone(old);
    started.spec.template.spec.nodeSelector = { zone: 'b' };
    expect(problems(started, old)).toHaveLength(1);
  });

  it('allows Indexed completions to change together with parallelism (elastic Indexed Jobs)', () => {
    const old = created(job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }));
    const next = structuredClone(old);
    Object.assign(next.spec, { completions: 5, parallelism: 5 });
    expect(problems(next, old)).toEqual([]);
    next.spec.parallelism = 4;
    expect(problems(next, old)).toEqual([
      'spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism',
    ]);
  });
});

describe('job table row and fields', () => {
  function withStatus(
    spec: Partial<JobSpec>,
    status: Job['status'],
    extra: Partial<Job['metadata']> = {},
  ): Job {
    const j = created(job(spec));
    j.status = status;
    Object.assign(j.metadata, extra);
    return j;
  }
  const condition = (type: string) => ({ type, status: 'True' as const });

  it('has the 1.32 columns', () => {
    expect(jobDef.columns.map((c) => `${c.name}/${c.priority}`)).toEqual([
      'Name/0',
      'Status/0',
      'Completions/0',
      'Duration/0',
      'Age/0',
      'Containers/1',
      'Images/1',
      'Selector/1',
    ]);
  });

  it.each<[string, Job, string[]]>([
    ['not started yet', withStatus({}, {}), ['Running', '0/1', '']],
    [
      'running for 90s',
      withStatus({}, { startTime: '2026-11-30T04:58:30Z', active: 1 }),
      ['Running', '0/1', '90s'],
    ],
    [
      'complete after 2m30s',
      withStatus(
        { completions: 3 },
        {
          startTime: '2026-11-30T04:55:00Z',
          completionTime: '2026-11-30T04:57:30Z',
          succeeded: 3,
          conditions: [condition('SuccessCriteriaMet'), condition('Complete')],
        },
      ),
      ['Complete', '3/3', '2m30s'],
    ],
    [
      'failed',
      withStatus({}, { failed: 7, conditions: [condition('FailureTarget'), condition('Failed')] }),
      ['Failed', '0/1', ''],
    ],
    [
      'about to fail',
      withStatus({}, { conditions: [condition('FailureTarget')] }),
      ['FailureTarget', '0/1', ''],
    ],
    [
      'suspended',
      withStatus({ suspend: true }, { conditions: [condition('Suspended')] }),
      ['Suspended', '0/1', ''],
    ],
    [
      'being deleted',
      withStatus({}, { conditions: [condition('Suspended')] }, { deletionTimestamp: '2026-11-30T04:59:00Z' }),
      ['Terminating', '0/1', ''],
    ],
    [
      'a work queue with parallelism 3',
      withStatus({ parallelism: 3 }, { succeeded: 1 }),
      ['Running', '1/1 of 3', ''],
    ],
  ])('%s', (_name, j, [status, completions, duration]) => {
    const row = jobDef.row(j, { now: NOW });
    expect(row.slice(1, 4)).toEqual([status, completions, duration]);
  });

  it('prints name, age and the wide cells', () => {
    const row = jobDef.row(created(job()), { now: NOW });
    expect([row[0], row[4], row[5], row[6], row[7]]).toEqual([
      'pi',
      '5m',
      'pi',
      'perl:5.34',
      `batch.kubernetes.io/controller-uid=${UID}`,
    ]);
  });

  it('supports the status.successful field selector', () => {
    expect(objectFields(jobDef, withStatus({}, { succeeded: 2 }))['status.successful']).toBe('2');
    expect(objectFields(jobDef, created(job()))['status.successful']).toBe('0');
  });
});
