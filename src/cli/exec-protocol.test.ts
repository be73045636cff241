import { describe, expect, it } from 'vitest';
import { CHANNEL, exitFromStatus, frame, parseFrame, resizeFrame, stdinEofFrame } from './exec-protocol.js';

describe('exec protocol v5.channel.k8s.io', () => {
  it('prefixes payloads with the channel byte and splits them back', () => {
    const f = frame(CHANNEL.stdin, 'hi');
    expect([...f]).toEqual([0, 104, 105]);
    expect(parseFrame(Buffer.from([1, 65]))).toEqual({ channel: 1, payload: Buffer.from('A') });
    expect(parseFrame(Buffer.alloc(0))).toBeUndefined();
  });

  it('closes stdin with [255, 0] and resizes with JSON on channel 4', () => {
    expect([...stdinEofFrame()]).toEqual([255, 0]);
    const r = resizeFrame(120, 40);
    expect(r[0]).toBe(4);
    expect(JSON.parse(r.subarray(1).toString())).toEqual({ Width: 120, Height: 40 });
  });

  it('turns the final Status into an exit code and kubectl message', () => {
    expect(exitFromStatus({ metadata: {}, status: 'Success' })).toEqual({ code: 0 });
    expect(exitFromStatus(undefined)).toEqual({ code: 0 });
    expect(
      exitFromStatus({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        message: 'command terminated with non-zero exit code: exit status 3',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      }),
    ).toEqual({ code: 3, message: 'command terminated with exit code 3' });
    expect(exitFromStatus({ status: 'Failure', message: 'container not found ("x")' })).toEqual({
      code: 1,
      message: 'error: container not found ("x")',
    });
  });
});
