import { describe, expect, it } from 'vitest';
import { formatIndexes, indexedPodOverrides, parseIndexes, withCompletionIndexEnv } from './indexed.js';
import { makeJob } from './test-fixtures.js';
import { podFromTemplate } from '../common/pod-control.js';

describe('completed indexes', () => {
  it.each([
    { indexes: [], text: '' },
    { indexes: [3], text: '3' },
    { indexes: [0, 1, 2, 5], text: '0-2,5' },
    { indexes: [1, 3, 4, 5, 7, 8], text: '1,3-5,7-8' },
  ])('$text', ({ indexes, text }) => {
    expect(formatIndexes(indexes)).toBe(text);
    expect(parseIndexes(text, 100)).toEqual(indexes);
  });

  it('ignores indexes at or above completions and malformed parts', () => {
    expect(parseIndexes('0-2,x,4-9', 6)).toEqual([0, 1, 2, 4, 5]);
  });
});

describe('Indexed pods', () => {
  it('carry the index as annotation, label, hostname, env and in the generated name', () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 3 });
    const pod = podFromTemplate(withCompletionIndexEnv(job.spec.template), job, indexedPodOverrides(job, 2));
    expect(pod.metadata.generateName).toBe('pi-2-');
    expect(pod.metadata.annotations).toEqual({ 'batch.kubernetes.io/job-completion-index': '2' });
    expect(pod.metadata.labels?.['batch.kubernetes.io/job-completion-index']).toBe('2');
    expect(pod.spec.hostname).toBe('pi-2');
    expect(pod.spec.containers[0].env).toEqual([
      {
        name: 'JOB_COMPLETION_INDEX',
        valueFrom: {
          fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
        },
      },
    ]);
  });

  it('keeps generated names within 58 characters', () => {
    const job = makeJob({ completionMode: 'Indexed' }, { name: 'x'.repeat(60) });
    const name = indexedPodOverrides(job, 12).generateName!;
    expect(name.length).toBe(58);
    expect(name.endsWith('-12-')).toBe(true);
  });
});
