// The documents clients read before anything else: /version, discovery (aggregated or legacy, chosen by the
// Accept header), the minimal OpenAPI v3, and the health probes.
import { Router, type Request, type Response } from 'express';
import type { Registry } from '../../api/registry.js';
import type { ApiPath } from '../api-path.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions } from '../discovery.js';
import { aggregatedDiscoveryContentType, aggregatedDiscoveryVersion } from '../negotiation.js';
import { buildOpenApi } from '../openapi.js';
import { versionInfo } from '../version-info.js';
import { resourceNotFound } from '../write-checks.js';

/** GET /api, /apis, /apis/{g}, /api/v1, /apis/{g}/{v}. */
export function discoveryForPath(req: Request, res: Response, registry: Registry, path: ApiPath): void {
  if (path.kind === 'root') {
    const version = aggregatedDiscoveryVersion(req.headers.accept);
    if (version) {
      // Set raw: express would rewrite the media type (spaces, charset) and kubectl needs it exact.
      res.statusCode = 200;
      res.setHeader('Content-Type', aggregatedDiscoveryContentType(version));
      res.end(JSON.stringify(aggregatedDiscovery(registry, path.legacy, version)));
      return;
    }
    const serverAddress = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
    res.json(path.legacy ? apiVersions(registry, serverAddress) : apiGroupList(registry));
    return;
  }
  const doc =
    path.kind === 'group'
      ? apiGroup(registry, path.group)
      : path.kind === 'groupVersion'
        ? apiResourceList(registry, path.group, path.version)
        : undefined;
  if (!doc) throw resourceNotFound();
  res.json(doc);
}

/** Routes outside /api and /apis that need no authentication. */
export function healthRoutes(): Router {
  const router = Router();
  for (const path of ['/healthz', '/livez', '/readyz']) {
    router.get(path, (_req, res) => {
      res.type('text/plain').send('ok');
    });
  }
  return router;
}

/** /version and /openapi/*. */
export function metaRoutes(registry: Registry): Router {
  const router = Router();
  const openApi = buildOpenApi(registry);
  router.get('/version', (_req, res) => {
    res.json(versionInfo());
  });
  router.get('/openapi/v3', (_req, res) => {
    res.json(openApi.index);
  });
  router.get(/^\/openapi\/v3\/(.+)$/, (req, res) => {
    const key = req.path.slice('/openapi/v3/'.length).replace(/\/$/, '');
    const doc = openApi.documents.get(key);
    if (!doc) throw resourceNotFound();
    res.status(200).type('application/json').send(doc);
  });
  return router;
}
