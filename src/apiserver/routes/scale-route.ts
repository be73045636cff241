// HTTP for …/{name}/scale: GET the Scale, PUT a whole Scale, PATCH it. The semantics live in ../scale.ts.
import { parseObjectBody, parsePatchBody, patchTypeOf } from '../request-parsing.js';
import { getScale, patchScale, updateScale } from '../scale.js';
import { dryRunOf, notAllowed, requestBody, sendObject } from './route-helpers.js';
import type { SubresourceHandler } from './subresource-routes.js';

export const scaleRoute: SubresourceHandler = {
  appliesTo: (def) => def.scale !== undefined,
  async handle(req, res, { service }, t) {
    const dryRun = dryRunOf(req);
    switch (req.method) {
      case 'GET':
        return sendObject(res, 200, await getScale(service, t.def, t.namespace, t.name));
      case 'PUT': {
        // kubectl scale --current-replicas sends its PUT without a Content-Type: parseObjectBody reads it as JSON.
        const body = parseObjectBody(req.headers['content-type'], requestBody(req));
        return sendObject(res, 200, await updateScale(service, t.def, t.namespace, t.name, body, { dryRun }));
      }
      case 'PATCH': {
        const type = patchTypeOf(req.headers['content-type']);
        const patch = parsePatchBody(type, requestBody(req));
        return sendObject(
          res,
          200,
          await patchScale(service, t.def, t.namespace, t.name, type, patch, { dryRun }),
        );
      }
      default:
        notAllowed(req);
    }
  },
};
