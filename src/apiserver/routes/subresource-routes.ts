// Subresources: …/{name}/status (GET/PUT/PATCH, only .status changes), …/{name}/scale (scale-route.ts),
// pods/{name}/binding (the scheduler's POST), pods/{name}/eviction (kubectl drain's POST, eviction-route.ts),
// pods/{name}/log (streamed from the node's agent) and pods/{name}/exec|attach (WebSocket only; the upgrade
// itself is handled by exec-proxy.ts, a plain request gets 400). Each handler says which kinds it serves.
import type { Request, Response } from 'express';
import type { ResourceDef } from '../../api/resource-def.js';
import { badRequest } from '../../common/errors.js';
import { parseObjectBody, parsePatchBody, patchTypeOf } from '../request-parsing.js';
import { resourceNotFound } from '../write-checks.js';
import { evictionRoute } from './eviction-route.js';
import { podLog } from './pod-log-route.js';
import { scaleRoute } from './scale-route.js';
import {
  dryRunOf,
  notAllowed,
  requestBody,
  sendObject,
  type ResourceTarget,
  type RouteContext,
} from './route-helpers.js';

export interface SubresourceHandler {
  appliesTo(def: ResourceDef): boolean;
  handle(req: Request, res: Response, ctx: RouteContext, target: Required<ResourceTarget>): Promise<void>;
}

const isPods = (def: ResourceDef) => def.group === '' && def.resource === 'pods';

const status: SubresourceHandler = {
  appliesTo: (def) => def.statusSubresource,
  async handle(req, res, { service }, t) {
    const dryRun = dryRunOf(req);
    switch (req.method) {
      case 'GET':
        return sendObject(res, 200, await service.get(t.def, t.namespace, t.name));
      case 'PUT': {
        const obj = parseObjectBody(req.headers['content-type'], requestBody(req));
        return sendObject(res, 200, await service.updateStatus(t.def, t.namespace, t.name, obj, { dryRun }));
      }
      case 'PATCH': {
        const type = patchTypeOf(req.headers['content-type']);
        const patch = parsePatchBody(type, requestBody(req));
        const result = await service.patch(t.def, t.namespace, t.name, type, patch, {
          subresource: 'status',
          dryRun,
        });
        return sendObject(res, 200, result.object);
      }
      default:
        notAllowed(req);
    }
  },
};

const binding: SubresourceHandler = {
  appliesTo: isPods,
  async handle(req, res, { service }, t) {
    if (req.method !== 'POST') notAllowed(req);
    const obj = parseObjectBody(req.headers['content-type'], requestBody(req));
    const result = await service.bind(t.namespace ?? '', t.name, obj, {
      dryRun: dryRunOf(req),
    });
    sendObject(res, 201, result);
  },
};

/** PUT namespaces/{name}/finalize: only spec.finalizers changes (the namespace controller's last step). */
const finalize: SubresourceHandler = {
  appliesTo: (def) => def.group === '' && def.resource === 'namespaces',
  async handle(req, res, { service }, t) {
    if (req.method !== 'PUT') notAllowed(req);
    const obj = parseObjectBody(req.headers['content-type'], requestBody(req));
    const current = await service.get(t.def, undefined, t.name);
    const next = structuredClone(current);
    next.spec = { ...(next.spec ?? {}), finalizers: obj.spec?.finalizers ?? [] };
    if (obj.metadata.resourceVersion) next.metadata.resourceVersion = obj.metadata.resourceVersion;
    const dryRun = dryRunOf(req);
    sendObject(res, 200, await service.update(t.def, undefined, t.name, next, { dryRun }));
  },
};

/** exec/attach reach here only without a WebSocket upgrade. */
const upgradeOnly: SubresourceHandler = {
  appliesTo: isPods,
  async handle() {
    throw badRequest('Upgrade request required');
  },
};

/** Subresource name → handler. */
export const SUBRESOURCE_HANDLERS: Record<string, SubresourceHandler> = {
  status,
  scale: scaleRoute,
  binding,
  eviction: evictionRoute,
  finalize,
  log: { appliesTo: isPods, handle: (req, res, ctx, t) => podLog(req, res, ctx, t) },
  exec: upgradeOnly,
  attach: upgradeOnly,
};

export async function handleSubresource(
  req: Request,
  res: Response,
  ctx: RouteContext,
  target: ResourceTarget,
): Promise<void> {
  const handler = Object.hasOwn(SUBRESOURCE_HANDLERS, target.subresource ?? '')
    ? SUBRESOURCE_HANDLERS[target.subresource as string]
    : undefined;
  if (!handler || !handler.appliesTo(target.def) || target.name === undefined) throw resourceNotFound();
  await handler.handle(req, res, ctx, target as Required<ResourceTarget>);
}
