// Small HTTP helpers the routes share: reading the raw body and dryRun, refusing a method, and writing API
// objects as JSON or as a meta.k8s.io Table when kubectl asks for one (Accept: …as=Table…).
import type { Request, Response } from 'express';
import type { ResourceDef } from '../../api/resource-def.js';
import type { KubeList, KubeObject } from '../../api/types.js';
import type { Clock } from '../../common/clock.js';
import { methodNotAllowed } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { NodeProxy } from '../node-proxy.js';
import type { ResourceService } from '../resource-service.js';
import { wantsTable } from '../negotiation.js';
import { parseDryRun, queryString } from '../request-parsing.js';
import { parseIncludeObject, toTable } from '../tables.js';
import type { WatchLimiter } from '../watch-limiter.js';

/** What a resource URL names, resolved against the registry. */
export interface ResourceTarget {
  def: ResourceDef;
  namespace: string | undefined;
  name?: string;
  subresource?: string;
}

/** What every route handler gets. */
export interface RouteContext {
  service: ResourceService;
  nodeProxy: NodeProxy;
  logger: Logger;
  /** Caps open watches per client and in all (429 past them); none when absent. */
  watchLimiter?: WatchLimiter;
}

export function notAllowed(req: Request): never {
  throw methodNotAllowed(`the server does not allow this method on the requested resource (${req.method})`);
}

/** The raw request body (express.raw read it), if any. */
export function requestBody(req: Request): Buffer | undefined {
  return Buffer.isBuffer(req.body) ? req.body : undefined;
}

export function dryRunOf(req: Request): boolean {
  return parseDryRun(req.query.dryRun);
}

export function sendObject(res: Response, code: number, body: unknown): void {
  res.status(code).json(body);
}

/** A single object for a GET: JSON, or a one-row Table. */
export function sendGet(req: Request, res: Response, clock: Clock, def: ResourceDef, obj: KubeObject): void {
  if (!wantsTable(req.headers.accept)) return sendObject(res, 200, obj);
  const includeObject = parseIncludeObject(queryString(req.query, 'includeObject'));
  sendObject(
    res,
    200,
    toTable(def, [obj], { now: clock.now(), includeObject, resourceVersion: obj.metadata.resourceVersion }),
  );
}

/** A list for a GET: the List, or a Table whose resourceVersion is the list's (kubectl get -w starts there). */
export function sendList(req: Request, res: Response, clock: Clock, def: ResourceDef, list: KubeList): void {
  if (!wantsTable(req.headers.accept)) return sendObject(res, 200, list);
  const includeObject = parseIncludeObject(queryString(req.query, 'includeObject'));
  sendObject(
    res,
    200,
    toTable(def, list.items, {
      now: clock.now(),
      includeObject,
      resourceVersion: list.metadata.resourceVersion,
    }),
  );
}
