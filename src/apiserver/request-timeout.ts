// kube-apiserver's --request-timeout (60 s): a request that has not been answered by then gets 504 Timeout, so a
// stuck store or a slow client sending its body cannot hold a connection forever. Long-running requests are
// exempt, as upstream decides them: watches, logs, exec/attach/port-forward and proxies. (Slow request headers
// are Node's server.headersTimeout, 60 s by default.)
import type { Request, RequestHandler } from 'express';
import type { Clock } from '../common/clock.js';
import { ApiError } from '../common/errors.js';
import { parseApiPath } from './api-path.js';
import { queryBool } from './request-parsing.js';

export const REQUEST_TIMEOUT_MS = 60_000;

const LONG_RUNNING_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

/** Upstream's LongRunningRequestCheck: the watch and proxy verbs, and streaming subresources. */
export function isLongRunning(req: Request): boolean {
  const path = parseApiPath(req.path);
  if (!path || path.kind !== 'resource') return false;
  if (path.watchPrefix || queryBool(req.query, 'watch')) return true;
  return path.subresource !== undefined && LONG_RUNNING_SUBRESOURCES.has(path.subresource);
}

export function timeoutError(): ApiError {
  return new ApiError(
    504,
    'Timeout',
    'Timeout: request did not complete within requested timeout - context deadline exceeded',
    {},
  );
}

export function requestTimeout(clock: Clock, timeoutMs = REQUEST_TIMEOUT_MS): RequestHandler {
  return (req, res, next) => {
    if (isLongRunning(req)) return next();
    const timer = clock.setTimeout(() => {
      if (res.headersSent || res.writableEnded) return;
      res.status(504).json(timeoutError().toStatus());
    }, timeoutMs);
    const clear = () => clock.clearTimeout(timer);
    res.on('finish', clear);
    res.on('close', clear);
    next();
  };
}
