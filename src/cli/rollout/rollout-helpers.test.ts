import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentStatus } from '../../api/types.js';
import { deployment, rsFor, templateWithImage } from '../../controllers/deployment/test-support.js';
import { Capture } from '../cli-test-support.js';
import { CliError } from '../errors.js';
import { historyTable, replicaSetForRevision, sameTemplate } from './history.js';
import { ProgressLine } from './progress-line.js';
import { deploymentStatus, statusViewerFor } from './status-viewers.js';
import { parseDuration } from './watch-object.js';

describe('deploymentStatus (kubectl DeploymentStatusViewer)', () => {
  const d = (status: DeploymentStatus, generation = 1): Deployment => {
    const dep = deployment('web', { replicas: 3, generation });
    dep.status = status;
    return dep;
  };
  const waiting = 'Waiting for deployment "web" rollout to finish: ';

  it.each([
    [d({ observedGeneration: 1 }, 2), 'Waiting for deployment spec update to be observed...', false],
    [
      d({ observedGeneration: 2, updatedReplicas: 1, replicas: 3 }, 2),
      `${waiting}1 out of 3 new replicas have been updated...`,
      false,
    ],
    [
      d({ observedGeneration: 1, updatedReplicas: 3, replicas: 5 }),
      `${waiting}2 old replicas are pending termination...`,
      false,
    ],
    [
      d({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 1 }),
      `${waiting}1 of 3 updated replicas are available...`,
      false,
    ],
    [
      d({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }),
      'deployment "web" successfully rolled out',
      true,
    ],
  ])('%#: %s', (dep, message, done) => {
    expect(deploymentStatus(dep)).toEqual({ message, done });
  });

  it('fails on ProgressDeadlineExceeded once the generation is observed', () => {
    const failed = d({
      observedGeneration: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    });
    expect(() => deploymentStatus(failed)).toThrow('deployment "web" exceeded its progress deadline');
  });

  it('is registered for apps/Deployment only (other kinds plug in)', () => {
    expect(statusViewerFor({ group: 'apps', kind: 'Deployment' })).toBe(deploymentStatus);
    expect(statusViewerFor({ group: '', kind: 'Pod' })).toBeUndefined();
  });
});

describe('history helpers', () => {
  const dep = deployment('web');
  const rs = (revision: number, image: string) =>
    rsFor(dep, { replicas: 0, revision, template: templateWithImage(dep, image) });

  it('picks the previous revision for undo, or the one asked for', () => {
    const list = [rs(3, 'c'), rs(1, 'a'), rs(5, 'e')];
    expect(
      replicaSetForRevision(dep, list, 0).metadata.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('3');
    expect(replicaSetForRevision(dep, list, 1).spec.template?.spec.containers[0].image).toBe('a');
    expect(() => replicaSetForRevision(dep, [rs(1, 'a')], 0)).toThrow(
      'no rollout history found for deployment "web"',
    );
    expect(() => replicaSetForRevision(dep, list, -1)).toThrow(
      'unable to find specified revision -1 in history',
    );
  });

  it('prints <none> for a missing change-cause and aligns the columns', () => {
    expect(historyTable([rs(10, 'b'), rs(9, 'a')])).toBe(
      'REVISION  CHANGE-CAUSE\n9         <none>\n10        <none>\n',
    );
    expect(historyTable([])).toBe('No rollout history found.');
  });

  it('compares templates ignoring the hash label', () => {
    expect(sameTemplate(rs(1, 'a').spec.template, templateWithImage(dep, 'a'))).toBe(true);
    expect(sameTemplate(rs(1, 'a').spec.template, templateWithImage(dep, 'b'))).toBe(false);
  });
});

describe('ProgressLine', () => {
  it('rewrites the line on a terminal', () => {
    const out = new Capture();
    out.isTTY = true;
    const line = new ProgressLine(out);
    line.update('a');
    line.update('a');
    line.update('b');
    line.finish('done');
    expect(out.text).toBe('\r\x1b[Ka\r\x1b[Kb\r\x1b[Kdone\n');
  });

  it('prints each change once elsewhere, and clear() leaves nothing behind', () => {
    const out = new Capture();
    const line = new ProgressLine(out);
    line.update('a');
    line.update('a');
    line.update('b');
    line.finish('b');
    line.clear();
    expect(out.text).toBe('a\nb\n');
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['45', 45_000],
  ])('%s = %i ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it('rejects what Go rejects', () => {
    expect(() => parseDuration('5 minutes')).toThrow(CliError);
    expect(() => parseDuration('')).toThrow(CliError);
    expect(() => parseDuration('m5')).toThrow('invalid duration "m5"');
  });
});
