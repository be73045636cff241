// The agent API's plain HTTP routes (/healthz, /containerLogs, and the refusal of a non-upgrade GET to /exec and
// /attach) as an Express app. server.ts loads this module at the first request, so an agent nobody asks for logs
// does not keep Express in memory (~11 MiB RSS); see server.ts for the API.
import express, { type Request, type Response } from 'express';
import { badRequest, notFound, toStatus } from '../../src/common/errors.js';
import { findContainer } from './container-lookup.js';
import { checkMasterClient } from './server-auth.js';
import { flag, type AgentServerDeps } from './server.js';

function sendStatus(res: Response, err: unknown): void {
  const status = toStatus(err);
  if (res.headersSent) return void res.end();
  res.status(status.code).json(status);
}

function nonNegativeInt(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer`);
  return n;
}

async function containerLogs(deps: AgentServerDeps, req: Request, res: Response): Promise<void> {
  const { ns, pod, container } = req.params as Record<string, string>;
  const q = req.query;
  const tail = nonNegativeInt(q.tailLines, 'tailLines');
  const sinceSeconds = nonNegativeInt(q.sinceSeconds, 'sinceSeconds');
  const limitBytes = nonNegativeInt(q.limitBytes, 'limitBytes');
  let since: number | undefined;
  if (sinceSeconds !== undefined) since = Math.floor(deps.clock.now() / 1000) - sinceSeconds;
  if (typeof q.sinceTime === 'string' && q.sinceTime) {
    const t = Date.parse(q.sinceTime);
    if (Number.isNaN(t))
      throw badRequest(`sinceTime must be an RFC 3339 time, got ${JSON.stringify(q.sinceTime)}`);
    since = Math.floor(t / 1000);
  }
  const c = await findContainer(deps, ns, pod, container, flag(q.previous));
  const stream = await deps.runtime.logs(c.id, {
    follow: flag(q.follow),
    timestamps: flag(q.timestamps),
    ...(tail !== undefined ? { tail } : {}),
    ...(since !== undefined ? { since } : {}),
  });
  res.status(200).setHeader('Content-Type', 'text/plain');
  res.flushHeaders();
  let sent = 0;
  res.on('close', () => stream.destroy());
  stream.on('data', (chunk: Buffer) => {
    if (limitBytes !== undefined && sent + chunk.length >= limitBytes) {
      res.end(chunk.subarray(0, limitBytes - sent));
      stream.destroy();
      return;
    }
    sent += chunk.length;
    res.write(chunk);
  });
  stream.on('end', () => res.end());
  stream.on('error', () => res.end());
}

export function createAgentApp(deps: AgentServerDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  if (deps.tls) {
    app.use((req, res, next) => {
      try {
        checkMasterClient(req);
      } catch (err) {
        deps.log.debug({ url: req.url, err: (err as Error).message }, 'agent API request refused');
        return sendStatus(res, err);
      }
      next();
    });
  }
  app.get('/containerLogs/:ns/:pod/:container', async (req, res) => {
    try {
      await containerLogs(deps, req, res);
    } catch (err) {
      sendStatus(res, err);
    }
  });
  // A plain GET to a streaming endpoint (no WebSocket upgrade), as the API server would answer it.
  app.get(['/exec/:ns/:pod/:container', '/attach/:ns/:pod/:container'], (_req, res) => {
    sendStatus(res, badRequest('Upgrade request required'));
  });
  app.use((_req: Request, res: Response) =>
    sendStatus(res, notFound({ group: '', resource: 'path' }, _req.path)),
  );
  return app;
}
