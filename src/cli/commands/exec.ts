// `skiff exec POD [-c C] [-i] [-t] -- CMD ARGS…`: GET the pod (to choose the container), then a WebSocket to
// pods/P/exec speaking v5.channel.k8s.io. Output frames go to stdout/stderr; the Status on channel 3 gives the
// exit code. -i forwards stdin (and its end); -t puts the local terminal in raw mode and forwards its size.
import type { Command } from 'commander';
import type { Pod, Status } from '../../api/types.js';
import { PODS, resourcePath } from '../../client/api-client.js';
import { errorFromResponse, transportError } from '../../client/http-response.js';
import type { CommandHost } from '../command-host.js';
import type { Query, Session } from '../context.js';
import { CliError } from '../errors.js';
import {
  CHANNEL,
  EXEC_PROTOCOL,
  exitFromStatus,
  frame,
  parseFrame,
  resizeFrame,
  stdinEofFrame,
} from '../exec-protocol.js';
import { pickContainer, stripPodPrefix } from './logs.js';

export interface ExecOptions {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('exec')
    .description('Run a command in a container: skiff exec POD [-c C] [-i] [-t] -- CMD ARGS…')
    .argument('<pod>', 'pod name (or pod/NAME)')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('-c, --container <name>', 'container name (default: the annotated default, else the first)')
    .option('-i, --stdin', 'pass stdin to the container')
    .option('-t, --tty', 'stdin is a TTY')
    .action(async (pod: string, command: string[], opts: ExecOptions, cmd: Command) => {
      host.exit(await runExec(host.session(cmd), pod, command, opts));
    });
}

export async function runExec(
  s: Session,
  podArg: string,
  command: string[],
  o: ExecOptions,
): Promise<number> {
  const { stdin, stdout, stderr } = s.ctx;
  if (command.length === 0)
    throw new CliError('error: you must specify at least one command for the container');
  const name = stripPodPrefix(podArg);
  const pod = await s.client.get<Pod>(PODS, s.namespace, name);
  const { container, notice } = pickContainer(pod, o.container);
  if (notice) stderr.write(notice + '\n');
  let tty = !!o.tty;
  if (tty && !(o.stdin && stdin.isTTY)) {
    stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }
  const query: Query = {
    command,
    container,
    stdin: o.stdin ? 'true' : undefined,
    stdout: 'true',
    // With a TTY the terminal merges stderr into stdout, as kubectl asks.
    stderr: tty ? undefined : 'true',
    tty: tty ? 'true' : undefined,
  };
  const ws = s.client.websocket(resourcePath(PODS, s.namespace, name, 'exec'), query, [EXEC_PROTOCOL]);
  ws.binaryType = 'nodebuffer';

  return new Promise<number>((resolve, reject) => {
    let status: Partial<Status> | undefined;
    let settled = false;
    const onData = (chunk: Buffer | string) => ws.send(frame(CHANNEL.stdin, Buffer.from(chunk)));
    const onEnd = () => ws.send(stdinEofFrame());
    const onResize = () => ws.send(resizeFrame(stdout.columns ?? 80, stdout.rows ?? 24));
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdout.off('resize', onResize);
      if (tty) stdin.setRawMode?.(false);
      if (o.stdin) stdin.pause();
    };
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      cleanup();
      fn();
    };

    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        finish(() => reject(errorFromResponse(res.statusCode ?? 0, Buffer.concat(chunks)))),
      );
      res.on('error', (e) => finish(() => reject(transportError(e))));
    });
    ws.on('error', (e) => finish(() => reject(transportError(e))));
    ws.on('open', () => {
      if (tty) {
        stdin.setRawMode?.(true);
        onResize();
        stdout.on('resize', onResize);
      }
      if (o.stdin) {
        stdin.on('data', onData);
        stdin.on('end', onEnd);
        stdin.resume();
      }
    });
    ws.on('message', (data: Buffer) => {
      const f = parseFrame(data);
      if (!f) return;
      if (f.channel === CHANNEL.stdout) stdout.write(f.payload);
      else if (f.channel === CHANNEL.stderr) stderr.write(f.payload);
      else if (f.channel === CHANNEL.status) {
        try {
          status = JSON.parse(f.payload.toString('utf8')) as Partial<Status>;
        } catch {
          status = { status: 'Failure', message: `malformed status: ${f.payload.toString('utf8')}` };
        }
      }
    });
    ws.on('close', (code, reason) => {
      finish(() => {
        if (!status && code !== 1000 && code !== 1005) {
          stderr.write(
            `error: the connection closed unexpectedly (${code}${reason.length ? `: ${reason}` : ''})\n`,
          );
          resolve(1);
          return;
        }
        const exit = exitFromStatus(status);
        if (exit.message) stderr.write(exit.message + '\n');
        resolve(exit.code);
      });
    });
  });
}
