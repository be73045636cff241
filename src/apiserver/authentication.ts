// The authentication/authorization seam: every request passes it before it reaches a route (WebSocket upgrades
// included). First `authenticate` (who is this? 401 for bad credentials, and for no credentials on anything but the
// public paths), then — once the body is read, since a create names its object there — `authorize` (may they? 403).
// The real guard is auth/request-guard.ts (bearer tokens, roles, the Node authorizer); without one the app lets
// everyone in, which is what the unit tests of the routes use.
import type http from 'node:http';
import type { RequestHandler, Response } from 'express';
import { ANONYMOUS_USER, type UserInfo } from './auth/identities.js';

export type { UserInfo } from './auth/identities.js';

export interface RequestGuard {
  authenticate(req: http.IncomingMessage): Promise<UserInfo>;
  /** `body` is the raw request body, when there is one. */
  authorize(user: UserInfo, req: http.IncomingMessage, body?: Buffer): Promise<void>;
}

/** The user the authentication step found (anonymous when no guard ran). */
export function requestUser(res: Response): UserInfo {
  return (res.locals.user as UserInfo | undefined) ?? ANONYMOUS_USER;
}

export function authenticationMiddleware(guard: RequestGuard): RequestHandler {
  return async (req, res, next) => {
    res.locals.user = await guard.authenticate(req);
    next();
  };
}

export function authorizationMiddleware(guard: RequestGuard): RequestHandler {
  return async (req, res, next) => {
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    await guard.authorize(requestUser(res), req, body);
    next();
  };
}
