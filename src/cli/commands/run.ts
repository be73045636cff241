// `skiff run NAME --image=IMG`: create a single Pod labelled run=NAME, as `kubectl run` does (KUBECTL-API.md §9.4).
import type { Command } from 'commander';
import type { Pod } from '../../api/types.js';
import { PODS } from '../../client/api-client.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { CliError } from '../errors.js';
import { collect } from './apply.js';
import { parseInteger } from './delete.js';

export interface RunOptions {
  image?: string;
  restart: string;
  port?: number;
  env: string[];
  labels?: string;
  command?: boolean;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;

export function register(program: Command, host: CommandHost): void {
  program
    .command('run')
    .description('Run an image in a new pod: skiff run NAME --image=IMG [-- ARGS…]')
    .argument('<name>', 'name of the pod (and of its container)')
    .argument('[args...]', 'arguments for the container (its command with --command), after --')
    .option('--image <image>', 'the container image')
    .option('--restart <policy>', 'Always, OnFailure or Never', 'Always')
    .option('--port <port>', 'the port the container exposes', parseInteger)
    .option('--env <K=V>', 'an environment variable (repeatable)', collect, [])
    .option('--labels <k=v,…>', 'labels for the pod (default run=NAME)')
    .option('--command', 'the arguments after -- are the command, not args')
    .action(async (name: string, args: string[], opts: RunOptions, cmd: Command) => {
      host.exit(await runRun(host.session(cmd), name, args, opts));
    });
}

/** The Pod `kubectl run` would create for these flags. */
export function buildRunPod(name: string, args: string[], o: RunOptions): Pod {
  if (!o.image) throw new CliError('error: --image is required');
  const restartPolicy = RESTART_POLICIES.find((p) => p === o.restart);
  if (!restartPolicy) throw new CliError(`error: invalid restart policy: ${o.restart}`);
  const labels = o.labels ? parseLabels(o.labels) : { run: name };
  const container: Pod['spec']['containers'][number] = { name, image: o.image, resources: {} };
  if (args.length > 0) {
    if (o.command) container.command = args;
    else container.args = args;
  }
  if (o.port !== undefined) container.ports = [{ containerPort: o.port }];
  if (o.env.length > 0) {
    container.env = o.env.map((kv) => {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new CliError(`error: invalid env: ${kv}`);
      return { name: kv.slice(0, eq), value: kv.slice(eq + 1) };
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [container], restartPolicy, dnsPolicy: 'ClusterFirst' },
    status: {},
  };
}

export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CliError(`error: invalid label spec: ${part}`);
    labels[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return labels;
}

export async function runRun(s: Session, name: string, args: string[], o: RunOptions): Promise<number> {
  const pod = buildRunPod(name, args, o);
  const created = await s.client.create<Pod>(PODS, s.namespace, pod, { fieldManager: 'skiff-run' });
  s.ctx.stdout.write(`pod/${created?.metadata?.name ?? name} created\n`);
  return 0;
}
