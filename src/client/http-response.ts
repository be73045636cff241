// The HTTP side of the client, kept pure for tests: newline-delimited watch streams, and non-2xx answers or
// failed connections turned into ApiErrors (the client side of the Status mapping in src/common/errors.ts).
import type { IncomingMessage } from 'node:http';
import type { Status } from '../api/types.js';
import { ApiError, fromStatus, reasonForCode } from '../common/errors.js';
import type { WatchEvent } from './api-client.js';

/** Splits a text stream into lines, whatever the chunk boundaries. */
export class LineSplitter {
  private buf = '';

  push(chunk: string): string[] {
    this.buf += chunk;
    const parts = this.buf.split('\n');
    this.buf = parts.pop() ?? '';
    return parts.filter((l) => l.trim() !== '');
  }

  /** The unterminated last line, if any. */
  end(): string | undefined {
    const rest = this.buf.trim();
    this.buf = '';
    return rest === '' ? undefined : rest;
  }
}

export function parseWatchLine<T>(line: string): WatchEvent<T> {
  let ev: unknown;
  try {
    ev = JSON.parse(line);
  } catch {
    throw new ApiError(500, 'InternalError', `malformed watch event: ${line.slice(0, 200)}`);
  }
  const e = ev as Partial<WatchEvent<T>>;
  if (!e || typeof e.type !== 'string' || typeof e.object !== 'object' || e.object === null) {
    throw new ApiError(500, 'InternalError', `malformed watch event: ${line.slice(0, 200)}`);
  }
  return e as WatchEvent<T>;
}

/** A non-2xx answer → ApiError: the server's Status when the body is one, else the HTTP code and the body text. */
export function errorFromResponse(httpCode: number, body: Buffer): ApiError {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as Partial<Status>;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return fromStatus(
        { ...parsed, reason: parsed.reason || reasonForCode(parsed.code ?? httpCode) },
        httpCode,
      );
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(httpCode, reasonForCode(httpCode), text.trim() || `HTTP ${httpCode}`);
}

/**
 * The connection failed (refused, reset, TLS, timeout): no Status came back. Reported as 503 ServiceUnavailable,
 * the original error kept as `cause`, so callers retry like any other server-side unavailability.
 */
export function transportError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const e = new ApiError(503, 'ServiceUnavailable', `Unable to connect to the server: ${msg}`);
  (e as Error).cause = err;
  return e;
}

export function isSuccess(code: number | undefined): boolean {
  return code !== undefined && code >= 200 && code < 300;
}

export function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
  });
}
