// The REST verbs on /api/v1/… and /apis/{group}/{version}/… for every resource in the registry:
//   collection  GET (list, or watch with ?watch=true)  POST (create)  DELETE (deletecollection)
//   object      GET  PUT  PATCH  DELETE
//   subresource see subresource-routes.ts
// Parsing and HTTP details live here; the semantics live in ResourceService.
import type { Request, RequestHandler, Response } from 'express';
import type { WatchOptions } from '../../client/api-client.js';
import { parseApiPath } from '../api-path.js';
import { fieldCheck } from '../field-validation.js';
import { isNamespaceDef } from '../deletion.js';
import { wantsTable } from '../negotiation.js';
import {
  parseDeleteOptions,
  parseObjectBody,
  parsePatchBody,
  patchTypeOf,
  queryBool,
  queryInt,
  queryString,
} from '../request-parsing.js';
import type { ResourceService } from '../resource-service.js';
import { parseIncludeObject } from '../tables.js';
import { requestWarnings, sendWarnings } from '../warnings.js';
import { streamWatch } from '../watch-stream.js';
import { resourceNotFound } from '../write-checks.js';
import {
  dryRunOf,
  notAllowed,
  requestBody,
  sendGet,
  sendList,
  sendObject,
  type ResourceTarget,
  type RouteContext,
} from './route-helpers.js';
import { handleSubresource } from './subresource-routes.js';
import { discoveryForPath } from './discovery-routes.js';

function listOptions(req: Request) {
  return {
    labelSelector: queryString(req.query, 'labelSelector'),
    fieldSelector: queryString(req.query, 'fieldSelector'),
    resourceVersion: queryString(req.query, 'resourceVersion'),
  };
}

function watchOptions(req: Request, name: string | undefined): WatchOptions {
  const opts: WatchOptions = {
    ...listOptions(req),
    timeoutSeconds: queryInt(req.query, 'timeoutSeconds'),
    allowWatchBookmarks: queryBool(req.query, 'allowWatchBookmarks'),
  };
  // The deprecated single-object watch (…/pods/x?watch=true) is a watch by name.
  if (name !== undefined) {
    const byName = `metadata.name=${name}`;
    opts.fieldSelector = opts.fieldSelector ? `${opts.fieldSelector},${byName}` : byName;
  }
  return opts;
}

function watchFormat(req: Request) {
  return {
    table: wantsTable(req.headers.accept),
    includeObject: parseIncludeObject(queryString(req.query, 'includeObject')),
  };
}

/** The resource a path names; 404 for a path that names nothing the registry serves. */
function resolveTarget(
  service: ResourceService,
  path: NonNullable<ReturnType<typeof parseApiPath>>,
): ResourceTarget {
  if (path.kind !== 'resource') throw resourceNotFound();
  const def = service.registry.get(path.group, path.version, path.resource);
  if (!def) throw resourceNotFound();
  if (def.namespaced) {
    // A namespaced object is only addressed inside its namespace (/api/v1/pods/x means nothing).
    if (path.namespace === undefined && path.name !== undefined) throw resourceNotFound();
    return { def, namespace: path.namespace, name: path.name, subresource: path.subresource };
  }
  // Cluster-scoped: no namespace segment, except the Namespace object itself (/api/v1/namespaces/x).
  if (path.namespace !== undefined && !(isNamespaceDef(def) && path.name === path.namespace)) {
    throw resourceNotFound();
  }
  return { def, namespace: undefined, name: path.name, subresource: path.subresource };
}

async function collection(req: Request, res: Response, ctx: RouteContext, t: ResourceTarget, watch: boolean) {
  const { service } = ctx;
  switch (req.method) {
    case 'GET':
      if (watch || queryBool(req.query, 'watch')) {
        return streamWatch(
          res,
          service,
          t.def,
          t.namespace,
          watchOptions(req, undefined),
          watchFormat(req),
          ctx.watchLimiter,
        );
      }
      return sendList(
        req,
        res,
        service.clock,
        t.def,
        await service.list(t.def, t.namespace, listOptions(req)),
      );
    case 'POST': {
      // Unknown/duplicate fields (fieldValidation) and admission may warn; the warnings go out as headers.
      const warnings = requestWarnings(res);
      const obj = parseObjectBody(
        req.headers['content-type'],
        requestBody(req),
        fieldCheck(t.def, req.query, warnings),
      );
      const created = await service.create(t.def, t.namespace, obj, { dryRun: dryRunOf(req), warnings });
      sendWarnings(res);
      return sendObject(res, 201, created);
    }
    case 'DELETE': {
      const options = parseDeleteOptions(req.headers['content-type'], requestBody(req), req.query);
      return sendObject(
        res,
        200,
        await service.deleteCollection(t.def, t.namespace, listOptions(req), options),
      );
    }
    default:
      notAllowed(req);
  }
}

async function object(req: Request, res: Response, ctx: RouteContext, t: ResourceTarget, watch: boolean) {
  const { service } = ctx;
  const name = t.name as string;
  switch (req.method) {
    case 'GET':
      if (watch || queryBool(req.query, 'watch')) {
        return streamWatch(
          res,
          service,
          t.def,
          t.namespace,
          watchOptions(req, name),
          watchFormat(req),
          ctx.watchLimiter,
        );
      }
      return sendGet(req, res, service.clock, t.def, await service.get(t.def, t.namespace, name));
    case 'PUT': {
      const warnings = requestWarnings(res);
      const obj = parseObjectBody(
        req.headers['content-type'],
        requestBody(req),
        fieldCheck(t.def, req.query, warnings),
      );
      const updated = await service.update(t.def, t.namespace, name, obj, {
        dryRun: dryRunOf(req),
        warnings,
      });
      sendWarnings(res);
      return sendObject(res, 200, updated);
    }
    case 'PATCH': {
      const warnings = requestWarnings(res);
      const type = patchTypeOf(req.headers['content-type']);
      const patch = parsePatchBody(type, requestBody(req), fieldCheck(t.def, req.query, warnings));
      const result = await service.patch(t.def, t.namespace, name, type, patch, {
        dryRun: dryRunOf(req),
        warnings,
      });
      sendWarnings(res);
      return sendObject(res, result.created ? 201 : 200, result.object);
    }
    case 'DELETE': {
      const options = parseDeleteOptions(req.headers['content-type'], requestBody(req), req.query);
      return sendObject(res, 200, await service.delete(t.def, t.namespace, name, options));
    }
    default:
      notAllowed(req);
  }
}

/** Serves every /api and /apis path: discovery documents and resources. */
export function apiRoutes(ctx: RouteContext): RequestHandler {
  return async (req, res, next) => {
    const path = parseApiPath(req.path);
    if (!path) return next();
    if (path.kind !== 'resource') {
      if (req.method !== 'GET') notAllowed(req);
      return discoveryForPath(req, res, ctx.service.registry, path);
    }
    const target = resolveTarget(ctx.service, path);
    if (target.subresource !== undefined) return handleSubresource(req, res, ctx, target);
    if (target.name === undefined) return collection(req, res, ctx, target, path.watchPrefix);
    return object(req, res, ctx, target, path.watchPrefix);
  };
}
