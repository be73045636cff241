// The API server's real RequestGuard: bearer tokens from the token store (or the insecure loopback port's
// system:unsecured user), then the authorizer. kubectl's messages depend on the codes: 401 → "You must be logged in
// to the server (Unauthorized)", 403 → "Error from server (Forbidden): <message>".
import type http from 'node:http';
import type { Socket } from 'node:net';
import { unauthorized } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { RequestGuard } from '../authentication.js';
import { forbiddenError, isAnonymousAllowed, type Authorizer } from './authorizer.js';
import { ANONYMOUS_USER, INSECURE_USER, type UserInfo } from './identities.js';
import { requestAttributes } from './request-info.js';
import type { TokenStore } from './token-store.js';

/** Sockets accepted by the --insecure-listen server (plain HTTP on loopback), whose requests act as admin. */
export class InsecureSockets {
  private readonly sockets = new WeakSet<Socket>();

  track(server: http.Server): void {
    server.on('connection', (socket: Socket) => this.sockets.add(socket));
  }

  has(req: http.IncomingMessage): boolean {
    return this.sockets.has(req.socket);
  }
}

export interface RequestGuardDeps {
  tokens: TokenStore;
  authorizer: Authorizer;
  insecure?: InsecureSockets;
  logger: Logger;
}

/** metadata.name of a JSON body (a create names its object there); undefined for anything else. */
export function bodyObjectName(body: Buffer | undefined): string | undefined {
  if (!body || body.length === 0 || body[0] !== 0x7b /* { */) return undefined;
  try {
    const name = (JSON.parse(body.toString('utf8')) as { metadata?: { name?: unknown } })?.metadata?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

export function createRequestGuard(deps: RequestGuardDeps): RequestGuard {
  return {
    async authenticate(req) {
      if (deps.insecure?.has(req)) return INSECURE_USER;
      const header = req.headers.authorization;
      if (header === undefined || header === '') {
        if (!isAnonymousAllowed(requestAttributes(req.method ?? 'GET', req.url ?? '/'))) throw unauthorized();
        return ANONYMOUS_USER;
      }
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw unauthorized();
      return (await deps.tokens.authenticate(m[1])).user;
    },

    async authorize(user: UserInfo, req, body) {
      const attributes = requestAttributes(req.method ?? 'GET', req.url ?? '/');
      const objectName = attributes.verb === 'create' ? bodyObjectName(body) : undefined;
      const decision = await deps.authorizer.authorize({ user, attributes, objectName });
      if (decision.allowed) return;
      if (user === ANONYMOUS_USER) throw unauthorized();
      const err = forbiddenError(user, attributes, decision.reason);
      deps.logger.debug({ user: user.name, method: req.method, url: req.url }, err.message);
      throw err;
    },
  };
}
