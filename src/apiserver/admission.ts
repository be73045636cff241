// What every write passes before it is stored, in Kubernetes' order: namespace lifecycle (the namespace must exist
// and not be terminating), the kind's defaults, then ObjectMeta + kind validation (422 with field causes), then
// validating admission (Pod Security, pod-security.ts).
// A hook that chokes on a malformed object answers 400; it never takes the server down.
import type { ResourceDef } from '../api/resource-def.js';
import type { KubeObject } from '../api/types.js';
import { validateObjectMeta } from '../api/validation.js';
import {
  badRequest,
  forbiddenRequest,
  invalid,
  notFound,
  qualifiedResource,
  type FieldError,
} from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Store } from '../store/store.js';
import { admitPodSecurity, podSecurityApplies, type PodSecurityOptions } from './pod-security.js';
import { shown } from './shown.js';

const NAMESPACES = { group: '', resource: 'namespaces' };

/** Creating in a namespace needs the namespace to exist and not be terminating. Answers the Namespace. */
export async function checkNamespaceOpen(
  store: Store,
  def: ResourceDef,
  obj: KubeObject,
): Promise<KubeObject> {
  const ns = obj.metadata.namespace ?? '';
  const nsObj = await store.get({ ...NAMESPACES, namespace: '', name: ns });
  if (!nsObj) throw notFound(NAMESPACES, ns);
  if (nsObj.status?.phase === 'Terminating' || nsObj.metadata.deletionTimestamp) {
    const name = shown(obj.metadata.name || obj.metadata.generateName || '');
    throw forbiddenRequest(
      `${qualifiedResource(def)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      { name, group: def.group, kind: def.resource },
    );
  }
  return nsObj;
}

function unreadable(log: Logger, def: ResourceDef, err: unknown, stage: string) {
  log.warn({ err, kind: def.kind }, `${stage} failed on a malformed object`);
  return badRequest(`the ${def.kind} could not be read: ${(err as Error).message}`);
}

/** Fills the kind's server-side defaults in place. */
export function applyDefaults(log: Logger, def: ResourceDef, obj: KubeObject): void {
  try {
    def.defaults?.(obj);
  } catch (err) {
    throw unreadable(log, def, err, 'defaulting');
  }
}

/** The kind's create-only preparation, once uid and name are final (a Job's generated selector). */
export function prepareForCreate(log: Logger, def: ResourceDef, obj: KubeObject): void {
  try {
    def.prepareForCreate?.(obj);
  } catch (err) {
    throw unreadable(log, def, err, 'preparing');
  }
}

/** Kinds may re-run the ObjectMeta checks themselves; each problem is reported once. */
function distinct(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}\u0000${e.type}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** 422 Invalid with one cause per field error. `old` is the stored object on update. */
export function validateObject(log: Logger, def: ResourceDef, obj: KubeObject, old?: KubeObject): void {
  let errors: FieldError[];
  try {
    errors = [
      ...validateObjectMeta(obj.metadata, { namespaced: def.namespaced, nameRule: def.nameRule }),
      ...(def.validate?.(obj, old) ?? []),
    ];
  } catch (err) {
    throw unreadable(log, def, err, 'validation');
  }
  if (errors.length > 0) throw invalid(def.group, def.kind, obj.metadata.name ?? '', distinct(errors));
}

/**
 * Validating admission (after validation, as in kube-apiserver): Pod Security refuses pods the namespace's level
 * forbids (403), warns about workloads whose pods it would refuse, and checks namespaces' level labels (422).
 * `namespace` is the object's Namespace when the caller has already read it.
 */
export async function validatingAdmission(
  store: Store,
  def: ResourceDef,
  obj: KubeObject,
  opts: PodSecurityOptions & { namespace?: KubeObject },
): Promise<void> {
  if (!podSecurityApplies(def)) return;
  let namespace = opts.namespace;
  if (namespace === undefined && def.namespaced) {
    namespace = await store.get({ ...NAMESPACES, namespace: '', name: obj.metadata.namespace ?? '' });
  }
  admitPodSecurity(def, obj, namespace, opts);
}
