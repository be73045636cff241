// A watch over HTTP (KUBECTL-API.md §8): 200, chunked application/json, one JSON event per line, written (and so
// flushed) as it happens. The stream stays open until the client leaves (res 'close' — never req 'close', which
// fires once the request body is read), the watch times out, or the server shuts down.
//
// Events are serialized once per (object, type, format) and the line is shared by every watcher that gets the
// same store event, so 100 watchers cost one JSON.stringify per change.
//
// Limits (hardened input): a WatchLimiter caps open watches per client address and in all (429), a client that
// stops reading is dropped once MAX_BUFFERED_BYTES wait for it, and a watch without timeoutSeconds ends after
// 30–60 minutes, as upstream's --min-request-timeout does, so abandoned watches do not pile up.
import type { Response } from 'express';
import type { ResourceDef } from '../api/resource-def.js';
import type { KubeObject } from '../api/types.js';
import type { WatchOptions } from '../client/api-client.js';
import type { ResourceService } from './resource-service.js';
import { toTable, type IncludeObject } from './tables.js';
import type { ActiveWatch, ServiceWatchEvent, WatchObserver } from './watch-session.js';
import type { WatchLimiter } from './watch-limiter.js';

export interface EventFormat {
  table: boolean;
  includeObject: IncludeObject;
}

/** A client this far behind is dropped; it re-watches from its last resourceVersion. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** A watch that names no timeoutSeconds ends after this many seconds, times 1 to 2 (random). */
export const MIN_WATCH_TIMEOUT_SECONDS = 1800;

const lines = new WeakMap<object, Map<string, string>>();

export function eventLine(
  def: ResourceDef,
  event: ServiceWatchEvent,
  format: EventFormat,
  now: number,
): string {
  const render = (): unknown =>
    format.table && event.type !== 'ERROR' && event.type !== 'BOOKMARK'
      ? toTable(def, [event.object as KubeObject], {
          now,
          includeObject: format.includeObject,
          resourceVersion: (event.object as KubeObject).metadata.resourceVersion,
        })
      : event.object;
  if (event.type === 'ERROR' || event.type === 'BOOKMARK') {
    return `${JSON.stringify({ type: event.type, object: render() })}\n`;
  }
  const key = `${event.type}|${format.table ? `table:${format.includeObject}` : 'json'}`;
  let byFormat = lines.get(event.object);
  if (!byFormat) lines.set(event.object, (byFormat = new Map()));
  let line = byFormat.get(key);
  if (line === undefined) {
    line = `${JSON.stringify({ type: event.type, object: render() })}\n`;
    byFormat.set(key, line);
  }
  return line;
}

export async function streamWatch(
  res: Response,
  service: ResourceService,
  def: ResourceDef,
  namespace: string | undefined,
  opts: WatchOptions,
  format: EventFormat,
  limiter?: WatchLimiter,
): Promise<void> {
  // Refused before anything is written, so the client gets a 429 Status.
  const release = limiter?.acquire(res.req.socket?.remoteAddress ?? 'unknown') ?? (() => undefined);
  res.on('close', release);
  opts = {
    ...opts,
    timeoutSeconds: opts.timeoutSeconds || Math.floor(MIN_WATCH_TIMEOUT_SECONDS * (1 + Math.random())),
  };
  let started = false;
  let clientGone = false;
  let watch: ActiveWatch | undefined = undefined;
  const start = () => {
    if (started) return;
    started = true;
    res.status(200);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-cache, private');
    res.setHeader('Transfer-Encoding', 'chunked');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
  };
  res.on('close', () => {
    clientGone = true;
    watch?.stop();
  });
  const observer: WatchObserver = {
    onEvent(event) {
      if (clientGone) return;
      start();
      res.write(eventLine(def, event, format, service.clock.now()));
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        // Treat the laggard as gone: nothing more is written, and the watch stops (now, or once it has started).
        clientGone = true;
        watch?.stop();
        res.end();
      }
    },
    onEnd() {
      if (clientGone) return;
      start();
      res.end();
    },
  };
  try {
    watch = await service.watch(def, namespace, opts, observer);
  } catch (err) {
    release();
    throw err;
  }
  if (clientGone) {
    watch.stop();
    return;
  }
  start();
}
