// The pods/exec WebSocket protocol `v5.channel.k8s.io` (KUBECTL-API.md §11.3): binary frames whose first byte is
// the channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal resize, 255 close a stream.
import type { Status } from '../api/types.js';

export const EXEC_PROTOCOL = 'v5.channel.k8s.io';

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

export function frame(channel: number, data: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(data) ? data : Buffer.from(data)]);
}

/** v5: "no more stdin" is the close frame naming channel 0. */
export function stdinEofFrame(): Buffer {
  return Buffer.from([CHANNEL.close, CHANNEL.stdin]);
}

export function resizeFrame(width: number, height: number): Buffer {
  return frame(CHANNEL.resize, JSON.stringify({ Width: width, Height: height }));
}

/** Splits a received frame into its channel and payload (undefined for an empty frame). */
export function parseFrame(data: Buffer): { channel: number; payload: Buffer } | undefined {
  if (data.length === 0) return undefined;
  return { channel: data[0], payload: data.subarray(1) };
}

/**
 * The exit code and message for the Status sent on channel 3: 0 on Success, the command's code for
 * NonZeroExitCode (`command terminated with exit code N`), 1 with the server's message for any other failure.
 */
export function exitFromStatus(status: Partial<Status> | undefined): { code: number; message?: string } {
  if (!status || status.status === 'Success') return { code: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code) && code > 0)
      return { code, message: `command terminated with exit code ${code}` };
  }
  return { code: 1, message: `error: ${status.message ?? 'command failed'}` };
}
