// `docker exec` and `docker attach` sessions over a hijacked connection: the Docker engine upgrades the HTTP
// request to a raw duplex socket. Input goes straight in (half-closing it is stdin EOF); output is multiplexed
// into stdout/stderr frames unless the session has a tty.
import type Docker from 'dockerode';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import type { Clock } from '../../src/common/clock.js';
import type { InteractiveOptions, InteractiveSession } from './container-runtime.js';
import { demux } from './docker-stream.js';

function splitOutput(sock: Duplex, tty: boolean): { stdout: Readable; stderr?: Readable } {
  if (tty) {
    const stdout = new PassThrough();
    sock.pipe(stdout);
    sock.on('close', () => stdout.end());
    return { stdout };
  }
  return demux(sock);
}

function endOf(sock: Duplex): Promise<void> {
  return new Promise((resolve) => {
    if (sock.destroyed || sock.readableEnded) return resolve();
    sock.once('end', () => resolve());
    sock.once('close', () => resolve());
    sock.once('error', () => resolve());
  });
}

export async function execSession(
  docker: Docker,
  id: string,
  cmd: string[],
  opts: InteractiveOptions,
  clock: Clock,
): Promise<InteractiveSession> {
  const exec = await docker.getContainer(id).exec({
    Cmd: cmd,
    AttachStdin: opts.stdin,
    AttachStdout: opts.stdout,
    AttachStderr: opts.stderr,
    Tty: opts.tty,
  });
  const sock = (await exec.start({
    hijack: true,
    stdin: opts.stdin,
    Tty: opts.tty,
    Detach: false,
  } as any)) as Duplex;
  const ended = endOf(sock);
  return {
    ...(opts.stdin ? { stdin: sock } : {}),
    ...splitOutput(sock, opts.tty),
    resize: async (width, height) => {
      await exec.resize({ w: width, h: height }).catch(() => undefined);
    },
    exitCode: async () => {
      await ended;
      // The engine records the exit code a moment after the output stream closes.
      for (let i = 0; i < 50; i++) {
        const info = await exec.inspect();
        if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
        await clock.sleep(20);
      }
      return -1;
    },
    close: () => sock.destroy(),
  };
}

export async function attachSession(
  docker: Docker,
  id: string,
  opts: InteractiveOptions,
): Promise<InteractiveSession> {
  const container = docker.getContainer(id);
  const info = await container.inspect();
  const tty = info.Config.Tty;
  const sock = (await container.attach({
    stream: true,
    stdin: opts.stdin,
    stdout: opts.stdout,
    stderr: opts.stderr,
    hijack: true,
  })) as unknown as Duplex;
  const ended = endOf(sock);
  return {
    ...(opts.stdin ? { stdin: sock } : {}),
    ...splitOutput(sock, tty),
    resize: async (width, height) => {
      await container.resize({ w: width, h: height }).catch(() => undefined);
    },
    exitCode: async () => {
      await ended;
      const after = await container.inspect().catch(() => undefined);
      return after && !after.State.Running ? after.State.ExitCode : 0;
    },
    close: () => sock.destroy(),
  };
}
