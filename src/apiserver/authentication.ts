// The authentication/authorization seam: one function every request passes before it reaches a route
// (WebSocket upgrades included). It throws an ApiError (401 Unauthorized, 403 Forbidden) to refuse.
// The default lets everyone in; bearer tokens over TLS come later.
import type http from 'node:http';
import type { RequestHandler } from 'express';

export type Authenticate = (req: http.IncomingMessage) => void | Promise<void>;

export const allowAll: Authenticate = () => undefined;

export function authenticationMiddleware(authenticate: Authenticate): RequestHandler {
  return async (req, _res, next) => {
    await authenticate(req);
    next();
  };
}
