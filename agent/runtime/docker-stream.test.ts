import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { demux, demuxBuffer, demuxMerged, readJsonLines } from './docker-stream.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const collect = (s: NodeJS.ReadableStream) =>
  new Promise<string>((resolve) => {
    let out = '';
    s.on('data', (c: Buffer) => (out += c.toString()));
    s.on('end', () => resolve(out));
  });

describe('Docker stream framing', () => {
  it('splits frames arriving in arbitrary chunks into stdout and stderr', async () => {
    const src = new PassThrough();
    const { stdout, stderr } = demux(src);
    const bytes = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err\n'), frame(1, 'out 2\n')]);
    const [o, e] = [collect(stdout), collect(stderr)];
    for (let i = 0; i < bytes.length; i += 5) src.write(bytes.subarray(i, i + 5));
    src.end();
    expect(await o).toBe('out 1\nout 2\n');
    expect(await e).toBe('err\n');
  });

  it('merges frames in order, from a stream or a whole buffer', async () => {
    const bytes = Buffer.concat([frame(1, 'a'), frame(2, 'b'), frame(1, 'c')]);
    expect(demuxBuffer(bytes).toString()).toBe('abc');
    const src = new PassThrough();
    const merged = collect(demuxMerged(src));
    src.end(bytes);
    expect(await merged).toBe('abc');
  });

  it('reads JSON lines, skipping garbage and handling a last line without newline', async () => {
    const src = new PassThrough();
    const seen: unknown[] = [];
    const done = readJsonLines(src, (o) => seen.push(o));
    src.write('{"status":"Pull');
    src.write('ing"}\r\nnot json\n\n');
    src.end('{"error":"denied"}');
    await done;
    expect(seen).toEqual([{ status: 'Pulling' }, { error: 'denied' }]);
  });
});
