// Docker multiplexes stdout and stderr of non-tty containers into one byte stream of frames:
// an 8-byte header [stream type (1 = stdout, 2 = stderr), 0, 0, 0, payload length uint32 BE] then the payload.
// These helpers split such a stream back into its parts (the kubelet serves logs and exec output raw).
import { PassThrough, type Readable } from 'node:stream';

/** Feeds multiplexed bytes and calls `emit` for each complete frame. */
export class FrameSplitter {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly emit: (stream: 1 | 2, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 8) {
      const type = this.buffer[0];
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) return;
      const payload = this.buffer.subarray(8, 8 + size);
      this.buffer = this.buffer.subarray(8 + size);
      // Type 0 (stdin) never appears in output; treat unknown types as stdout rather than drop bytes.
      this.emit(type === 2 ? 2 : 1, payload);
    }
  }
}

/** Splits a multiplexed source into stdout and stderr streams, which end (or fail) with the source. */
export function demux(source: Readable): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const splitter = new FrameSplitter((s, payload) => (s === 2 ? stderr : stdout).write(payload));
  source.on('data', (chunk: Buffer) => splitter.push(chunk));
  const finish = () => {
    stdout.end();
    stderr.end();
  };
  source.on('end', finish);
  source.on('close', finish);
  source.on('error', (err) => {
    stdout.destroy(err);
    stderr.destroy(err);
  });
  return { stdout, stderr };
}

/** Merges a multiplexed source into one stream of raw bytes, in arrival order (what `docker logs` prints). */
export function demuxMerged(source: Readable): PassThrough {
  const out = new PassThrough();
  const splitter = new FrameSplitter((_s, payload) => out.write(payload));
  source.on('data', (chunk: Buffer) => splitter.push(chunk));
  source.on('end', () => out.end());
  source.on('close', () => out.end());
  source.on('error', (err) => out.destroy(err));
  // The consumer leaving (e.g. an HTTP client disconnecting) must release the Docker connection.
  out.on('close', () => source.destroy());
  return out;
}

/** Splits a complete multiplexed buffer (non-follow logs arrive as one buffer) into raw bytes. */
export function demuxBuffer(buffer: Buffer): Buffer {
  const parts: Buffer[] = [];
  new FrameSplitter((_s, payload) => parts.push(payload)).push(buffer);
  return Buffer.concat(parts);
}

/**
 * Reads a stream of JSON lines (Docker's progress and event streams), calling onObject for each; resolves at the
 * end. Lines that are not JSON are skipped: one bad line must not kill a pull or an event watch.
 */
export function readJsonLines(source: Readable, onObject: (obj: any) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const line = (text: string) => {
      const trimmed = text.trim();
      if (!trimmed) return;
      let obj: unknown;
      try {
        obj = JSON.parse(trimmed);
      } catch {
        return;
      }
      onObject(obj);
    };
    source.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        line(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    const done = () => {
      line(pending);
      pending = '';
      resolve();
    };
    source.on('end', done);
    source.on('close', done);
    source.on('error', reject);
  });
}
