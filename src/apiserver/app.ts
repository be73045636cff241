// The API server as an express application (DESIGN.md convention 5: createApp builds it, only the daemon
// listens). Order: health probes → authentication (401) → body reading (3 MiB, raw bytes; each route decodes by
// Content-Type) → authorization (403; a create names its object in the body) → skiff's own routes (join, tokens)
// → /version, /openapi → /api and /apis → 404 → one error handler turning everything into a Status.
// No compression or buffering middleware: watch, log and exec responses are streamed.
import express, { type Application, type RequestHandler, type Router } from 'express';
import type { Registry } from '../api/registry.js';
import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Store } from '../store/store.js';
import { authenticationMiddleware, authorizationMiddleware, type RequestGuard } from './authentication.js';
import { errorHandler, MAX_BODY_BYTES, notFoundHandler } from './error-handler.js';
import { HttpNodeProxy, type NodeProxy } from './node-proxy.js';
import { ResourceService } from './resource-service.js';
import { healthRoutes, metaRoutes } from './routes/discovery-routes.js';
import { apiRoutes } from './routes/resource-routes.js';
import { requestTimeout } from './request-timeout.js';
import { WatchLimiter, type WatchLimits } from './watch-limiter.js';

export interface AppDeps {
  store: Store;
  registry: Registry;
  clock?: Clock;
  logger?: Logger;
  /** How logs/exec reach the agents; default: HTTP/WebSocket to each node's kubelet endpoint. */
  nodeProxy?: NodeProxy;
  /** Authentication and authorization (auth/request-guard.ts); default: everyone may do everything. */
  guard?: RequestGuard;
  /** Routers mounted after authorization, before the Kubernetes API (skiff's /skiff/v1/… endpoints). */
  routes?: Router[];
  /** A service to share (startApiServer passes its own); created from store/registry otherwise. */
  service?: ResourceService;
  /** Open HTTP watches allowed per client address and in all; default 100 and 10,000 (watch-limiter.ts). */
  watchLimits?: WatchLimits;
}

function requestLog(logger: Logger, clock: Clock): RequestHandler {
  return (req, res, next) => {
    const started = clock.now();
    res.on('finish', () => {
      const ms = clock.now() - started;
      logger.debug({ method: req.method, url: req.originalUrl, status: res.statusCode, ms }, 'request');
    });
    next();
  };
}

export function createApp(deps: AppDeps): Application {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const service =
    deps.service ?? new ResourceService({ store: deps.store, registry: deps.registry, clock, logger });
  // Every cluster has its system namespaces; requests wait for them on first use.
  const seeded = service.ensureSystemNamespaces();
  seeded.catch((err) => logger.error({ err }, 'creating the system namespaces failed'));

  const app = express();
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.use(requestLog(logger, clock));
  app.use(healthRoutes());
  app.use(requestTimeout(clock)); // hardened input: 504 after 60 s, except watches, logs and exec
  if (deps.guard) app.use(authenticationMiddleware(deps.guard));
  app.use(async (_req, _res, next) => {
    await seeded;
    next();
  });
  app.use(express.raw({ type: () => true, limit: MAX_BODY_BYTES }));
  if (deps.guard) app.use(authorizationMiddleware(deps.guard));
  for (const router of deps.routes ?? []) app.use(router);
  app.use(metaRoutes(deps.registry));
  const watchLimiter = new WatchLimiter(deps.watchLimits); // hardened input: 429 past the watch limits
  app.use(apiRoutes({ service, nodeProxy: deps.nodeProxy ?? new HttpNodeProxy(), logger, watchLimiter }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
