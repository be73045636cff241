// `skiff rollout status|history|undo|restart|pause|resume`, kubectl's rollout commands with the same requests
// (KUBECTL-API.md §13) and the same words. `status` follows the object with a live progress line until the
// rollout is done (exit 0), fails (exit 1: progress deadline exceeded) or --timeout passes (exit 1). The per-kind
// pieces live in src/cli/rollout/ (status viewers, history, pod template description).
import type { Command } from 'commander';
import type { Deployment, KubeObject, ReplicaSet } from '../../api/types.js';
import { labelSelectorToString } from '../../api/selectors.js';
import { DEPLOYMENTS, REPLICASETS } from '../../client/api-client.js';
import { rfc3339 } from '../../common/clock.js';
import { ApiError } from '../../common/errors.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { CliError, formatError, isTransportError } from '../errors.js';
import { refOf } from '../resources.js';
import {
  CHANGE_CAUSE_ANNOTATION,
  historyTable,
  ownedReplicaSets,
  replicaSetForRevision,
  revisions,
  sameTemplate,
  undoPatch,
} from '../rollout/history.js';
import { describePodTemplate } from '../rollout/pod-template.js';
import { ProgressLine } from '../rollout/progress-line.js';
import { statusViewerFor, type RolloutStatus } from '../rollout/status-viewers.js';
import { groupKind, resolveTargets, targetLabel, targetQuoted, type Target } from '../rollout/targets.js';
import { parseDuration, watchObject } from '../rollout/watch-object.js';
import { parseBool, parseInteger } from './delete.js';

const FIELD_MANAGER = 'kubectl-rollout';
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const DEPLOYMENT = 'apps/Deployment';
/** Kinds whose pods a template annotation restarts. */
const RESTARTABLE = new Set([DEPLOYMENT, 'apps/DaemonSet', 'apps/StatefulSet']);

export interface RolloutStatusOptions {
  watch: boolean;
  timeout: string;
  revision: number;
}

export function register(program: Command, host: CommandHost): void {
  const rollout = program
    .command('rollout')
    .description('Manage the rollout of a Deployment: status, history, undo, restart, pause, resume');
  const args = ['<args...>', 'TYPE NAME or TYPE/NAME, e.g. deployment/web'] as const;
  rollout
    .command('status')
    .description('Show the status of the rollout, following it until it is done')
    .argument(...args)
    .option(
      '-w, --watch [bool]',
      'follow the rollout until it is done (--watch=false: look once)',
      parseBool,
      true,
    )
    .option('--timeout <duration>', 'give up after this long, e.g. 5m (0: never)', '0')
    .option('--revision <n>', 'fail unless this revision is the one rolling out', parseInteger, 0)
    .action(async (a: string[], o: RolloutStatusOptions, cmd: Command) => {
      host.exit(await runRolloutStatus(host.session(cmd), a, o));
    });
  rollout
    .command('history')
    .description('List the revisions (REVISION, CHANGE-CAUSE), or show one with --revision')
    .argument(...args)
    .option('--revision <n>', 'show the pod template of this revision', parseInteger, 0)
    .action(async (a: string[], o: { revision: number }, cmd: Command) => {
      host.exit(await runRolloutHistory(host.session(cmd), a, o.revision));
    });
  rollout
    .command('undo')
    .description('Roll back to the previous revision (or --to-revision)')
    .argument(...args)
    .option('--to-revision <n>', 'the revision to roll back to (0: the previous one)', parseInteger, 0)
    .action(async (a: string[], o: { toRevision: number }, cmd: Command) => {
      host.exit(await runRolloutUndo(host.session(cmd), a, o.toRevision));
    });
  for (const [name, description] of [
    ['restart', 'Restart the pods: a new rollout of the same template'],
    ['pause', 'Pause the rollout: template changes wait until resume (scaling still works)'],
    ['resume', 'Resume a paused rollout'],
  ] as const) {
    rollout
      .command(name)
      .description(description)
      .argument(...args)
      .action(async (a: string[], _o: unknown, cmd: Command) => {
        host.exit(await runRolloutPatch(host.session(cmd), name, a));
      });
  }
}

/** A status viewer's or history helper's failure becomes `error: …` (exit 1); API and CLI errors pass through. */
function asCliError(err: unknown): unknown {
  if (err instanceof ApiError || err instanceof CliError || isTransportError(err)) return err;
  return err instanceof Error ? new CliError(`error: ${err.message}`) : err;
}

function single(s: Session, args: string[]): Target {
  const targets = resolveTargets(s, args);
  if (targets.length !== 1) throw new CliError('error: this command takes exactly one resource');
  return targets[0];
}

export async function runRolloutStatus(s: Session, args: string[], o: RolloutStatusOptions): Promise<number> {
  const t = single(s, args);
  const viewer = statusViewerFor(t.def);
  if (!viewer) throw new CliError(`error: no status viewer has been implemented for ${t.def.kind}`);
  const line = new ProgressLine(s.ctx.stdout);
  let last: RolloutStatus | undefined;
  try {
    const result = await watchObject<KubeObject>(
      s,
      refOf(t.def),
      t.namespace,
      t.name,
      (obj) => {
        last = viewer(obj, o.revision);
        if (!last.done) line.update(last.message);
        return last.done;
      },
      { watch: o.watch, timeoutMs: parseDuration(o.timeout) },
    );
    if (result === 'timeout') throw new CliError('error: timed out waiting for the condition');
    line.finish(last!.message);
    return 0;
  } catch (err) {
    line.clear();
    throw asCliError(err);
  }
}

async function deploymentAndReplicaSets(
  s: Session,
  t: Target,
): Promise<{ d: Deployment; owned: ReplicaSet[] }> {
  const d = await s.client.get<Deployment>(DEPLOYMENTS, t.namespace, t.name);
  const list = await s.client.list<ReplicaSet>(REPLICASETS, t.namespace, {
    labelSelector: labelSelectorToString(d.spec.selector ?? {}),
  });
  return { d, owned: ownedReplicaSets(d, list.items) };
}

export async function runRolloutHistory(s: Session, args: string[], revision: number): Promise<number> {
  const t = single(s, args);
  if (groupKind(t.def) !== DEPLOYMENT) {
    throw new CliError(`error: no history viewer has been implemented for "${t.def.kind}.${t.def.group}"`);
  }
  const { owned } = await deploymentAndReplicaSets(s, t);
  if (revision > 0) {
    const rs = revisions(owned).get(revision);
    if (!rs) throw new CliError('error: unable to find the specified revision');
    const template = structuredClone(rs.spec.template);
    const cause = rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION];
    if (template && cause) {
      template.metadata = { ...(template.metadata ?? {}) };
      template.metadata.annotations = {
        ...(template.metadata.annotations ?? {}),
        [CHANGE_CAUSE_ANNOTATION]: cause,
      };
    }
    s.ctx.stdout.write(`${targetLabel(t)} with revision #${revision}\n${describePodTemplate(template)}\n`);
    return 0;
  }
  s.ctx.stdout.write(`${targetLabel(t)} \n${historyTable(owned)}\n`);
  return 0;
}

export async function runRolloutUndo(s: Session, args: string[], toRevision: number): Promise<number> {
  const t = single(s, args);
  if (groupKind(t.def) !== DEPLOYMENT) {
    throw new CliError(`error: no rollbacker has been implemented for "${t.def.kind}.${t.def.group}"`);
  }
  const { d, owned } = await deploymentAndReplicaSets(s, t);
  let target: ReplicaSet;
  try {
    target = replicaSetForRevision(d, owned, toRevision);
  } catch (err) {
    throw asCliError(err);
  }
  if (d.spec.paused) {
    throw new CliError(
      "error: you cannot rollback a paused deployment; resume it first with 'skiff rollout resume' and try again",
    );
  }
  if (sameTemplate(target.spec.template, d.spec.template)) {
    s.ctx.stdout.write(
      `${targetLabel(t)} skipped rollback (current template already matches revision ${toRevision})\n`,
    );
    return 0;
  }
  await s.client.patch(DEPLOYMENTS, t.namespace, t.name, 'json', undoPatch(d, target));
  s.ctx.stdout.write(`${targetLabel(t)} rolled back\n`);
  return 0;
}

/** restart, pause, resume: a strategic merge patch per object, kubectl's messages, errors per object. */
export async function runRolloutPatch(
  s: Session,
  verb: 'restart' | 'pause' | 'resume',
  args: string[],
): Promise<number> {
  let code = 0;
  for (const t of resolveTargets(s, args)) {
    try {
      const obj = await s.client.get<KubeObject>(refOf(t.def), t.namespace, t.name);
      const patch = patchFor(verb, t, obj, s.ctx.clock.now());
      await s.client.patch(refOf(t.def), t.namespace, t.name, 'strategic', patch, {
        fieldManager: FIELD_MANAGER,
      });
      const done = { restart: 'restarted', pause: 'paused', resume: 'resumed' }[verb];
      s.ctx.stdout.write(`${targetLabel(t)} ${done}\n`);
    } catch (err) {
      if (isTransportError(err) || !(err instanceof ApiError || err instanceof CliError)) throw err;
      s.ctx.stderr.write(`${formatError(err, s.server)}\n`);
      code = 1;
    }
  }
  return code;
}

/** The patch for one object, or a CliError in kubectl's words (`error: deployments.apps "web" is already paused`). */
function patchFor(verb: 'restart' | 'pause' | 'resume', t: Target, obj: KubeObject, now: number): unknown {
  const fail = (why: string) => new CliError(`error: ${targetQuoted(t)} ${why}`);
  const kind = groupKind(t.def);
  if (verb === 'restart') {
    if (!RESTARTABLE.has(kind)) throw fail('restarting is not supported');
    if (kind === DEPLOYMENT && obj.spec?.paused) {
      throw fail("can't restart paused deployment (run rollout resume first)");
    }
    return { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: rfc3339(now) } } } } };
  }
  if (kind !== DEPLOYMENT) throw fail(`${verb === 'pause' ? 'pausing' : 'resuming'} is not supported`);
  const paused = !!obj.spec?.paused;
  if (verb === 'pause' && paused) throw fail('is already paused');
  if (verb === 'resume' && !paused) throw fail('is not paused');
  return { spec: { paused: verb === 'pause' } };
}
