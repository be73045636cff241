// GET pods/{name}/log: checks the pod and container here (404/400 like Kubernetes), then streams the agent's
// answer straight through — no buffering, so `kubectl logs -f` sees each line as it is written. The upstream
// request is aborted when the client leaves.
import type { Request, Response } from 'express';
import type { Status } from '../../api/types.js';
import { ApiError, fromStatus, type StatusReason } from '../../common/errors.js';
import { nodeEndpoint } from '../node-proxy.js';
import { checkLogsAvailable, chooseContainer } from '../pod-containers.js';
import { queryBool, queryInt, queryString } from '../request-parsing.js';
import type { ResourceTarget, RouteContext } from './route-helpers.js';

const BOOL_PARAMS = ['follow', 'previous', 'timestamps'];
const INT_PARAMS = ['tailLines', 'sinceSeconds', 'limitBytes'];

/** The log options the agent understands, validated. */
export function logQuery(query: Record<string, unknown>): URLSearchParams {
  const out = new URLSearchParams();
  for (const p of BOOL_PARAMS)
    if (queryString(query, p) !== undefined) out.set(p, String(queryBool(query, p)));
  for (const p of INT_PARAMS) {
    const v = queryInt(query, p);
    if (v === undefined) continue;
    if (v < 0)
      throw new ApiError(422, 'Invalid', `${p}: Invalid value: ${v}: must be greater than or equal to 0`);
    out.set(p, String(v));
  }
  const sinceTime = queryString(query, 'sinceTime');
  if (sinceTime) out.set('sinceTime', sinceTime);
  return out;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** The agent's refusal, passed on as the Status it sent (or one made from its text). */
function agentError(code: number, body: Buffer): ApiError {
  const text = body.toString('utf8');
  try {
    const status = JSON.parse(text) as Partial<Status>;
    if (status && typeof status === 'object' && status.message) return fromStatus(status, code);
  } catch {
    // not JSON
  }
  const reason: StatusReason = code === 404 ? 'NotFound' : code === 400 ? 'BadRequest' : 'InternalError';
  return new ApiError(code >= 400 ? code : 502, reason, text.trim() || `the agent answered HTTP ${code}`);
}

export async function podLog(
  req: Request,
  res: Response,
  { service, nodeProxy }: RouteContext,
  t: Required<ResourceTarget>,
): Promise<void> {
  if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'pods/log only supports GET');
  const pod = await service.get(t.def, t.namespace, t.name);
  const container = chooseContainer(pod, queryString(req.query, 'container'));
  checkLogsAvailable(pod, container, queryBool(req.query, 'previous'));
  const query = logQuery(req.query);
  const node = nodeEndpoint(
    await service.get({ group: '', version: 'v1', resource: 'nodes' }, undefined, pod.spec.nodeName),
  );

  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const upstream = await nodeProxy.containerLogs(
    node,
    { namespace: t.namespace ?? '', pod: t.name, container },
    query,
    abort.signal,
  );
  if (upstream.statusCode !== 200) throw agentError(upstream.statusCode, await readAll(upstream.body));

  res.status(200);
  res.setHeader('Content-Type', upstream.contentType || 'text/plain');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  upstream.body.on('error', () => res.end());
  upstream.body.pipe(res);
}
