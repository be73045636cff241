// HTTP for POST pods/{name}/eviction (what `kubectl drain` sends, as JSON or protobuf). The semantics live in
// ../eviction.ts.
import { evictPod } from '../eviction.js';
import { parseObjectBody } from '../request-parsing.js';
import { notAllowed, requestBody, sendObject } from './route-helpers.js';
import type { SubresourceHandler } from './subresource-routes.js';

export const evictionRoute: SubresourceHandler = {
  appliesTo: (def) => def.group === '' && def.resource === 'pods',
  async handle(req, res, { service }, t) {
    if (req.method !== 'POST') notAllowed(req);
    const eviction = parseObjectBody(req.headers['content-type'], requestBody(req));
    sendObject(res, 201, await evictPod(service, t.namespace ?? '', t.name, eviction, req.query));
  },
};
