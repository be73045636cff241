// `skiff scale TYPE NAME --replicas N`: kubectl's requests (KUBECTL-API.md §11.1): GET the object, then a merge
// patch `{"spec":{"replicas":N}}` on its scale subresource, printing `deployment.apps/web scaled`. With --wait a
// live progress line follows the object until N replicas are ready (and no surplus pod is left counted).
import type { Command } from 'commander';
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../common/errors.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { CliError, formatError, isTransportError } from '../errors.js';
import { refOf } from '../resources.js';
import { ProgressLine } from '../rollout/progress-line.js';
import { groupKind, resolveTargets, targetLabel, targetQuoted, type Target } from '../rollout/targets.js';
import { parseDuration, watchObject } from '../rollout/watch-object.js';
import { parseBool, parseInteger } from './delete.js';

/** Kinds with a scale subresource in skiff. */
const SCALABLE = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet']);

export interface ScaleOptions {
  replicas?: number;
  wait: boolean;
  timeout: string;
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('scale')
    .description('Set the number of replicas of a Deployment, ReplicaSet or StatefulSet')
    .argument('<args...>', 'TYPE NAME… or TYPE/NAME…, e.g. deployment/web')
    .option('--replicas <n>', 'the new number of replicas (required)', parseInteger)
    .option(
      '--wait [bool]',
      'wait until that many replicas are ready, with a progress line',
      parseBool,
      false,
    )
    .option('--timeout <duration>', 'with --wait: give up after this long, e.g. 2m (0: never)', '0')
    .action(async (args: string[], o: ScaleOptions, cmd: Command) => {
      host.exit(await runScale(host.session(cmd), args, o));
    });
}

export async function runScale(s: Session, args: string[], o: ScaleOptions): Promise<number> {
  if (o.replicas === undefined || o.replicas < 0) {
    throw new CliError(
      'error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0',
    );
  }
  const replicas = o.replicas;
  const timeoutMs = parseDuration(o.timeout);
  const targets = resolveTargets(s, args);
  for (const t of targets) {
    if (!SCALABLE.has(groupKind(t.def)))
      throw new CliError(`error: cannot scale ${targetQuoted(t)}: no scale subresource`);
  }
  let code = 0;
  const scaled: Target[] = [];
  for (const t of targets) {
    try {
      await s.client.get(refOf(t.def), t.namespace, t.name);
    } catch (err) {
      if (!(err instanceof ApiError) || err.reason !== 'NotFound') throw err;
      s.ctx.stderr.write(`error: no objects passed to scale ${targetQuoted(t)} not found\n`);
      code = 1;
      continue;
    }
    try {
      await s.client.patch(
        refOf(t.def),
        t.namespace,
        t.name,
        'merge',
        { spec: { replicas } },
        { subresource: 'scale' },
      );
      s.ctx.stdout.write(`${targetLabel(t)} scaled\n`);
      scaled.push(t);
    } catch (err) {
      if (isTransportError(err) || !(err instanceof ApiError)) throw err;
      s.ctx.stderr.write(`${formatError(err, s.server)}\n`);
      code = 1;
    }
  }
  if (o.wait) {
    for (const t of scaled) {
      if (!(await waitForReplicas(s, t, replicas, timeoutMs))) code = 1;
    }
  }
  return code;
}

/** The progress message while scaling, and whether `replicas` are ready (and only those are counted). */
export function scaleProgress(
  t: Target,
  obj: KubeObject,
  replicas: number,
): { message: string; done: boolean } {
  const status = (obj.status ?? {}) as {
    replicas?: number;
    readyReplicas?: number;
    observedGeneration?: number;
  };
  const ready = status.readyReplicas ?? 0;
  const observed = (status.observedGeneration ?? 0) >= (obj.metadata.generation ?? 0);
  const done = observed && ready === replicas && (status.replicas ?? 0) === replicas;
  const name = targetLabel(t);
  return done
    ? { message: `${name}: ${ready} of ${replicas} replicas ready`, done }
    : { message: `Waiting for ${name} to scale: ${ready} of ${replicas} replicas ready...`, done };
}

async function waitForReplicas(s: Session, t: Target, replicas: number, timeoutMs: number): Promise<boolean> {
  const line = new ProgressLine(s.ctx.stdout);
  let last = '';
  try {
    const result = await watchObject<KubeObject>(
      s,
      refOf(t.def),
      t.namespace,
      t.name,
      (obj) => {
        const p = scaleProgress(t, obj, replicas);
        last = p.message;
        if (!p.done) line.update(p.message);
        return p.done;
      },
      { timeoutMs },
    );
    if (result === 'timeout') {
      line.clear();
      s.ctx.stderr.write('error: timed out waiting for the condition\n');
      return false;
    }
    line.finish(last);
    return true;
  } catch (err) {
    line.clear();
    throw err;
  }
}
