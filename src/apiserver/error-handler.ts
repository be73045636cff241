// Every failure becomes a Kubernetes Status with the same HTTP code (KUBECTL-API.md §12). ApiErrors keep their
// code/reason/details; body-parser errors map to 413/415/400; anything else is a 500 without a stack trace
// (the stack goes to the log).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApiError, badRequest, internalError, tooLarge, unsupportedMediaType } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { resourceNotFound } from './write-checks.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

interface HttpError extends Error {
  type?: string;
  status?: number;
  expose?: boolean;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as HttpError;
  switch (e?.type) {
    case 'entity.too.large':
      return tooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`);
    case 'encoding.unsupported':
      return unsupportedMediaType(`Content-Encoding ${e.message}`);
  }
  // Other body-reading failures (aborted, bad length, bad charset) are the client's.
  if (e?.expose && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return badRequest(e.message);
  }
  return internalError(e instanceof Error ? e.message : String(err));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err);
    if (apiError.code >= 500)
      logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) {
      // A stream already started; the only thing left to say is that it ended.
      res.end();
      return;
    }
    res.status(apiError.code).json(apiError.toStatus());
  };
}

/** Paths nothing serves. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json(resourceNotFound().toStatus());
};
