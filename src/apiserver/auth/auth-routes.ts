// skiff's own endpoints beside the Kubernetes API (the authorizer decides who reaches each):
//   GET    /skiff/v1/cluster-info   anyone     the CA certificate and its hash (kubeadm's cluster-info ConfigMap)
//   POST   /skiff/v1/join           join token {nodeName, certificateRequest} → NodeCredential (node-join.ts)
//   GET    /skiff/v1/tokens         admin      TokenList: ids, roles, users, expiry — never secrets
//   POST   /skiff/v1/tokens         admin      {role, ttlSeconds?, description?} → the new token, shown once
//   DELETE /skiff/v1/tokens/{id}    admin      revokes at once
import { Router, type Request } from 'express';
import type { Clock } from '../../common/clock.js';
import { badRequest } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { requestUser } from '../authentication.js';
import type { MasterPki } from './master-pki.js';
import { issueNodeCredential, parseJoinRequest } from './node-join.js';
import { publicInfo, type TokenStore } from './token-store.js';
import { CREATABLE_ROLES, TOKEN_ID_RE, type TokenRole } from './tokens.js';

export interface AuthRoutesDeps {
  tokens: TokenStore;
  pki: MasterPki;
  clock: Clock;
  logger: Logger;
}

/** Join tokens live 24 h unless told otherwise (kubeadm's default). */
export const DEFAULT_JOIN_TTL_SECONDS = 24 * 60 * 60;
const MAX_DESCRIPTION = 256;

export interface CreateTokenRequest {
  role: TokenRole;
  ttlSeconds?: number;
  description?: string;
}

function jsonBody(req: Request): unknown {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}

export function parseCreateTokenRequest(body: unknown): CreateTokenRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const role = b.role ?? 'view';
  if (typeof role !== 'string' || !(CREATABLE_ROLES as string[]).includes(role)) {
    throw badRequest(`role must be one of ${CREATABLE_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
  }
  let ttlSeconds: number | undefined;
  if (b.ttlSeconds !== undefined && b.ttlSeconds !== null) {
    if (typeof b.ttlSeconds !== 'number' || !Number.isInteger(b.ttlSeconds) || b.ttlSeconds < 0) {
      throw badRequest('ttlSeconds must be a non-negative integer (0: never expires)');
    }
    ttlSeconds = b.ttlSeconds;
  }
  if (role === 'join' && ttlSeconds === undefined) ttlSeconds = DEFAULT_JOIN_TTL_SECONDS;
  if (role === 'join' && ttlSeconds === 0) throw badRequest('a join token must expire (ttlSeconds > 0)');
  const description = b.description;
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > MAX_DESCRIPTION)
  ) {
    throw badRequest(`description must be a string of at most ${MAX_DESCRIPTION} characters`);
  }
  return {
    role: role as TokenRole,
    ...(ttlSeconds ? { ttlSeconds } : {}),
    ...(description ? { description } : {}),
  };
}

export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  router.get('/skiff/v1/cluster-info', (_req, res) => {
    res.json({
      kind: 'ClusterInfo',
      apiVersion: 'skiff.io/v1',
      certificateAuthority: deps.pki.ca.certPem,
      caCertHash: deps.pki.caCertHash,
    });
  });
  router.post('/skiff/v1/join', async (req, res) => {
    const request = parseJoinRequest(jsonBody(req));
    const credential = await issueNodeCredential(deps, request, deps.clock.now(), requestUser(res).name);
    res.status(201).json(credential);
  });
  router.get('/skiff/v1/tokens', async (_req, res) => {
    const items = (await deps.tokens.list()).map(publicInfo);
    res.json({ kind: 'TokenList', apiVersion: 'skiff.io/v1', items });
  });
  router.post('/skiff/v1/tokens', async (req, res) => {
    const r = parseCreateTokenRequest(jsonBody(req));
    const issued = await deps.tokens.create({
      role: r.role,
      ...(r.ttlSeconds ? { ttlMs: r.ttlSeconds * 1000 } : {}),
      ...(r.description ? { description: r.description } : {}),
    });
    deps.logger.info({ id: issued.info.id, role: r.role, by: requestUser(res).name }, 'token created');
    res.status(201).json({ kind: 'Token', apiVersion: 'skiff.io/v1', token: issued.token, ...issued.info });
  });
  router.delete('/skiff/v1/tokens/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!TOKEN_ID_RE.test(id))
      throw badRequest(`token id must be 6 lowercase letters or digits, got "${id}"`);
    const record = await deps.tokens.revoke(id);
    deps.logger.info({ id, role: record.role, by: requestUser(res).name }, 'token revoked');
    res.json({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: id, group: 'auth.skiff.io', kind: 'tokens' },
    });
  });
  return router;
}
