// `skiff logs POD`: GET the pod to choose the container (-c, else the default-container annotation, else the
// first), then stream `pods/P/log` to stdout (KUBECTL-API.md §11.2). With -f the stream stays open until the
// container ends or Ctrl-C.
import type { Command } from 'commander';
import { pipeline } from 'node:stream/promises';
import type { Pod } from '../../api/types.js';
import { PODS, resourcePath } from '../../client/api-client.js';
import type { CommandHost } from '../command-host.js';
import type { Query, Session } from '../context.js';
import { CliError } from '../errors.js';
import { parseInteger } from './delete.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export interface LogsOptions {
  container?: string;
  follow?: boolean;
  tail?: number;
  previous?: boolean;
  timestamps?: boolean;
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('logs')
    .description('Print the logs of a container in a pod')
    .argument('<pod>', 'pod name (or pod/NAME)')
    .option('-c, --container <name>', 'container name (default: the annotated default, else the first)')
    .option('-f, --follow', 'stream the logs as they are written')
    .option('--tail <lines>', 'only the last N lines', parseInteger)
    .option('-p, --previous', "the logs of the container's previous instance")
    .option('--timestamps', 'prefix each line with its RFC 3339 timestamp')
    .action(async (pod: string, opts: LogsOptions, cmd: Command) => {
      host.exit(await runLogs(host.session(cmd), pod, opts));
    });
}

/**
 * The container a command is about: `requested`, else the default-container annotation, else the first.
 * `notice` is kubectl's `Defaulted container …` line when a choice was made among several.
 */
export function pickContainer(pod: Pod, requested?: string): { container: string; notice?: string } {
  const name = pod.metadata.name ?? '';
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name)];
  if (requested) {
    if (!all.includes(requested))
      throw new CliError(`error: container ${requested} is not valid for pod ${name}`);
    return { container: requested };
  }
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && names.includes(annotated)) return { container: annotated };
  if (names.length === 0) throw new CliError(`error: pod ${name} has no containers`);
  const notice =
    names.length > 1 ? `Defaulted container "${names[0]}" out of: ${names.join(', ')}` : undefined;
  return { container: names[0], notice };
}

export function stripPodPrefix(arg: string): string {
  const m = /^(pods?|po)\/(.+)$/.exec(arg);
  if (m) return m[2];
  if (arg.includes('/')) throw new CliError(`error: only pods are supported here: ${arg}`);
  return arg;
}

export async function runLogs(s: Session, podArg: string, o: LogsOptions): Promise<number> {
  const name = stripPodPrefix(podArg);
  const pod = await s.client.get<Pod>(PODS, s.namespace, name);
  const { container, notice } = pickContainer(pod, o.container);
  if (notice) s.ctx.stderr.write(notice + '\n');
  const query: Query = {
    container,
    follow: o.follow ? 'true' : undefined,
    tailLines: o.tail !== undefined && o.tail >= 0 ? String(o.tail) : undefined,
    previous: o.previous ? 'true' : undefined,
    timestamps: o.timestamps ? 'true' : undefined,
  };
  const stream = await s.client.stream(resourcePath(PODS, s.namespace, name, 'log'), query);
  await pipeline(stream, s.ctx.stdout, { end: false });
  return 0;
}
