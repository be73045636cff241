// Every failure becomes a Kubernetes Status with the same HTTP code (KUBECTL-API.md §12). ApiErrors keep their
// code/reason/details; body-parser and other HTTP errors map to their 4xx; anything else is a 500 without a
// stack trace (the stack goes to the log). The handler itself never throws: whatever was thrown, the client
// gets a Status (or, once a stream has started, the end of the stream). A request's warnings and a 429's
// Retry-After go out with the Status.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  ApiError,
  badRequest,
  internalError,
  knownReason,
  tooLarge,
  unsupportedMediaType,
} from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { sendWarnings } from './warnings.js';
import { resourceNotFound } from './write-checks.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

interface HttpError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

function messageOf(err: unknown): string {
  try {
    if (err instanceof Error) return err.message;
    return String(err);
  } catch {
    return 'unknown error';
  }
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) {
    // A code that is not an HTTP error code cannot be sent as one.
    return Number.isInteger(err.code) && err.code >= 400 && err.code <= 599
      ? err
      : internalError(`invalid status code ${err.code}: ${err.message}`);
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpError;
  switch (e.type) {
    case 'entity.too.large':
      return tooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`);
    case 'encoding.unsupported':
      return unsupportedMediaType(`Content-Encoding ${messageOf(err)}`);
    case 'charset.unsupported':
      return unsupportedMediaType(`charset ${messageOf(err)}`);
  }
  // Other client failures the HTTP layer reports (aborted bodies, bad lengths, undecodable paths).
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const reason = knownReason(status);
    if (reason)
      return status === 400 ? badRequest(messageOf(err)) : new ApiError(status, reason, messageOf(err));
  }
  return internalError(messageOf(err));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err);
    try {
      if (apiError.code >= 500)
        logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
      if (res.headersSent) {
        // A stream already started; the only thing left to say is that it ended.
        res.end();
        return;
      }
      sendWarnings(res);
      const retryAfter = apiError.details?.retryAfterSeconds;
      if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
      res.status(apiError.code).json(apiError.toStatus());
    } catch (failure) {
      logger.error({ err: failure }, 'writing an error answer failed');
      if (!res.headersSent) res.status(500).json(internalError('the answer could not be written').toStatus());
      else res.end();
    }
  };
}

/** Paths nothing serves. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json(resourceNotFound().toStatus());
};
