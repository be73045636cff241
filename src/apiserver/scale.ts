// The scale subresource (`…/deployments/x/scale`, KUBECTL-API.md §11.1): an autoscaling/v1 Scale view of a
// kind's replica count, as `kubectl scale` and autoscalers use it. Reading builds the Scale from the object; a
// PUT or PATCH of the Scale writes only the desired replica count back, through the ResourceService, so the
// change is an ordinary spec update (defaults, validation, generation + 1, optimistic concurrency).
import { applyPatch } from '../api/patch.js';
import type { ResourceDef, ScaleDef } from '../api/resource-def.js';
import { labelSelectorToString } from '../api/selectors.js';
import type { KubeObject, LabelSelector, Scale } from '../api/types.js';
import type { PatchType, ResourceRef } from '../client/api-client.js';
import { badRequest, type FieldError, invalid, invalidValue, isApiError } from '../common/errors.js';
import type { ResourceService, WriteOptions } from './resource-service.js';
import { shown } from './shown.js';
import { resourceNotFound } from './write-checks.js';

const SCALE_API_VERSION = 'autoscaling/v1';
/** Retries of a scale PATCH that lost a race with another writer (as Kubernetes' GuaranteedUpdate does). */
const MAX_CONFLICT_RETRIES = 5;

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) cur = isObject(cur) ? cur[key] : undefined;
  return cur;
}

function setPath(obj: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(cur[key])) cur[key] = {};
    cur = cur[key];
  }
  cur[keys[keys.length - 1]] = value;
}

function scaleDefOf(def: ResourceDef): ScaleDef {
  if (!def.scale) throw resourceNotFound();
  return def.scale;
}

/** The Scale of an object (Kubernetes' scaleFromDeployment and friends). */
export function scaleOf(def: ResourceDef, obj: KubeObject): Scale {
  const paths = scaleDefOf(def);
  const replicas = getPath(obj, paths.specReplicasPath);
  const observed = getPath(obj, paths.statusReplicasPath);
  const selector = getPath(obj, paths.selectorPath);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: SCALE_API_VERSION,
    metadata: { name, ...(namespace ? { namespace } : {}), uid, resourceVersion, creationTimestamp },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: {
      replicas: typeof observed === 'number' ? observed : 0,
      selector: isObject(selector) ? labelSelectorToString(selector as LabelSelector) : '',
    },
  };
}

/** ValidateScale: the desired count, as Go reads it (absent = 0), must be a non-negative integer. */
function desiredReplicas(scale: KubeObject, name: string): number {
  const replicas = isObject(scale.spec) ? (scale.spec.replicas ?? 0) : 0;
  const errs: FieldError[] = [];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    errs.push(invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0'));
  }
  if (errs.length > 0) throw invalid('autoscaling', 'Scale', name, errs);
  return replicas as number;
}

/** A Scale body must be a Scale for the object the URL names. */
function checkScaleBody(body: KubeObject, name: string): void {
  if (body.kind !== undefined && body.kind !== '' && body.kind !== 'Scale') {
    throw badRequest(`the object sent (kind ${JSON.stringify(body.kind)}) is not a Scale`);
  }
  const bodyName = body.metadata?.name;
  if (bodyName && bodyName !== name) {
    throw badRequest(
      `the name of the object (${shown(bodyName)}) does not match the name on the URL (${name})`,
    );
  }
}

export async function getScale(
  service: ResourceService,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
): Promise<Scale> {
  const def = service.definition(ref);
  scaleDefOf(def);
  return scaleOf(def, await service.get(def, namespace, name));
}

/**
 * Writes `replicas` into the object. `resourceVersion` set: a precondition the client chose (409 when stale);
 * absent: the version just read, retried when another writer got in between.
 */
async function writeReplicas(
  service: ResourceService,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  change: (current: KubeObject) => { replicas: number; resourceVersion?: string; uid?: string },
  opts: WriteOptions,
): Promise<Scale> {
  const paths = scaleDefOf(def);
  for (let attempt = 1; ; attempt++) {
    const current = await service.get(def, namespace, name);
    const { replicas, resourceVersion, uid } = change(current);
    const next = structuredClone(current);
    setPath(next, paths.specReplicasPath, replicas);
    next.metadata.resourceVersion = resourceVersion || current.metadata.resourceVersion;
    if (uid) next.metadata.uid = uid;
    try {
      return scaleOf(def, await service.update(def, namespace, name, next, opts));
    } catch (err) {
      if (!isApiError(err, 'Conflict') || resourceVersion || attempt >= MAX_CONFLICT_RETRIES) throw err;
    }
  }
}

/** PUT …/scale: the body is a whole Scale (kubectl scale --current-replicas sends one, without a Content-Type). */
export async function updateScale(
  service: ResourceService,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  body: KubeObject,
  opts: WriteOptions = {},
): Promise<Scale> {
  const def = service.definition(ref);
  checkScaleBody(body, name);
  const replicas = desiredReplicas(body, name);
  return writeReplicas(
    service,
    def,
    namespace,
    name,
    () => ({ replicas, resourceVersion: body.metadata?.resourceVersion, uid: body.metadata?.uid }),
    opts,
  );
}

/** PATCH …/scale: the patch applies to the Scale (kubectl scale sends `{"spec":{"replicas":3}}` as merge patch). */
export async function patchScale(
  service: ResourceService,
  ref: ResourceRef,
  namespace: string | undefined,
  name: string,
  type: PatchType,
  patch: unknown,
  opts: WriteOptions = {},
): Promise<Scale> {
  const def = service.definition(ref);
  return writeReplicas(
    service,
    def,
    namespace,
    name,
    (current) => {
      const scale = scaleOf(def, current);
      const patched = applyPatch(scale, type, patch);
      checkScaleBody(patched, name);
      const rv = patched.metadata.resourceVersion;
      // A patch that names another resourceVersion is a precondition; one that leaves it alone is not.
      return {
        replicas: desiredReplicas(patched, name),
        resourceVersion: rv !== scale.metadata.resourceVersion ? rv : undefined,
        uid: patched.metadata.uid !== scale.metadata.uid ? patched.metadata.uid : undefined,
      };
    },
    opts,
  );
}
