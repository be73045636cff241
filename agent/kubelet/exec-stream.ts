// Kubernetes' remote command streaming over WebSocket (subprotocols v5.channel.k8s.io and v4.channel.k8s.io), the
// protocol `kubectl exec` and `kubectl attach` speak: binary frames whose first byte is the channel.
//   0 stdin (in)   1 stdout (out)   2 stderr (out)   3 status (out, a meta/v1 Status as JSON)
//   4 resize (in, {"Width":80,"Height":24})   255 close-stream (in, v5 only: [255, 0] = stdin EOF)
// When the command ends: the Status on channel 3, then close 1000.
import type { WebSocket } from 'ws';
import type { Logger } from '../../src/common/logger.js';
import type { InteractiveSession } from '../runtime/container-runtime.js';

export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export const Channel = { Stdin: 0, Stdout: 1, Stderr: 2, Status: 3, Resize: 4, Close: 255 } as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

/** The Status sent on channel 3 when the command has ended. */
export function exitStatus(code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function errorStatus(message: string): object {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}

function frame(channel: Channel, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from([channel]), body]);
}

function ended(stream: NodeJS.ReadableStream | undefined): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
}

/** Sends the final Status and closes the socket (normal closure). */
export function finish(ws: WebSocket, status: object): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(frame(Channel.Status, JSON.stringify(status)), () => ws.close(1000));
}

/**
 * Relays one exec/attach session over an accepted WebSocket until the process ends or the client leaves. The
 * socket is listened to at once: input that arrives while the session is still being opened (kubectl, or the
 * master relaying it, may send stdin and the stdin-EOF frame right after the upgrade) is queued, not lost.
 */
export async function relaySession(
  ws: WebSocket,
  open: () => Promise<InteractiveSession>,
  log: Logger,
): Promise<void> {
  let session: InteractiveSession | undefined;
  const early: Buffer[] = [];
  let clientGone = false;

  const input = (buf: Buffer) => {
    if (!session) return void early.push(buf);
    const payload = buf.subarray(1);
    switch (buf[0]) {
      case Channel.Stdin:
        session.stdin?.write(payload);
        break;
      case Channel.Resize:
        try {
          const size = JSON.parse(payload.toString()) as { Width?: number; Height?: number };
          if (size.Width && size.Height) void session.resize(size.Width, size.Height);
        } catch {
          log.debug('ignoring a malformed resize message');
        }
        break;
      case Channel.Close:
        if (payload[0] === Channel.Stdin) session.stdin?.end();
        break;
    }
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const buf = isBinary ? data : Buffer.from(data.toString());
    if (buf.length > 0) input(buf);
  });
  const gone = () => {
    clientGone = true;
    session?.close();
  };
  ws.on('close', gone);
  ws.on('error', gone);

  try {
    session = await open();
    if (clientGone) return session.close();
    const send = (channel: Channel) => (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(channel, chunk));
    };
    session.stdout.on('data', send(Channel.Stdout));
    session.stderr?.on('data', send(Channel.Stderr));
    for (const buf of early.splice(0)) input(buf);
    await Promise.all([ended(session.stdout), ended(session.stderr)]);
    const code = await session.exitCode();
    finish(ws, exitStatus(code));
  } catch (err) {
    finish(ws, errorStatus(`error executing command in container: ${(err as Error).message}`));
  }
}
