// Pod Security admission, like upstream's PodSecurity plugin (pod-security-admission) in enforce mode: every
// namespace has a level, from its label `pod-security.kubernetes.io/enforce` (privileged | baseline |
// restricted; baseline when absent — skiff is secure by default, kube-system is seeded `privileged`).
//   - Pods that break the level are refused: 403 `pods "x" is forbidden: violates PodSecurity
//     "baseline:latest": privileged (…)`, plus a hint naming the label that would allow them.
//   - Workloads (Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs, CronJobs) are admitted, as upstream
//     does, with a `Warning:` header kubectl prints (`would violate PodSecurity …`); their controller's pod
//     creation is then refused, which shows as FailedCreate events on the workload.
//   - `pod-security.kubernetes.io/warn: <level>` admits what that level would refuse (if the enforced level admits
//     it) with the same `Warning:` header, so a namespace can try a stricter level before enforcing it.
//   - An invalid level label on a Namespace is a 422, as upstream. The `…-version` labels are validated but
//     skiff always evaluates the latest policy. The `audit` mode's label is validated but has no effect: skiff
//     keeps no audit log for it to annotate.
// Pure: the caller passes the namespace object (admission.ts reads it from the store).
import type { ResourceDef } from '../api/resource-def.js';
import type { KubeObject } from '../api/types.js';
import { jsonEqual } from '../api/object-meta.js';
import { forbiddenRequest, invalid, invalidValue, type FieldError } from '../common/errors.js';
import {
  describeViolations,
  evaluatePodSecurity,
  type PodSecurityLevel,
  type PodSecurityViolation,
} from './pod-security-checks.js';

export type { PodSecurityLevel } from './pod-security-checks.js';

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const ENFORCE_LABEL = `${LABEL_PREFIX}enforce`;
export const WARN_LABEL = `${LABEL_PREFIX}warn`;
export const DEFAULT_LEVEL: PodSecurityLevel = 'baseline';
const LEVELS: readonly string[] = ['privileged', 'baseline', 'restricted'];
const MODES = ['enforce', 'audit', 'warn'];
const VERSION = /^(latest|v1\.(0|[1-9][0-9]*))$/;
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Labels the system namespaces are created with: kube-system runs the cluster's own privileged pods. */
export function systemNamespaceLabels(name: string): Record<string, string> | undefined {
  return name === 'kube-system' ? { [ENFORCE_LABEL]: 'privileged' } : undefined;
}

/** A namespace's enforced level. A value that is not a level enforces `restricted` (upstream's rule). */
export function enforceLevel(namespace: KubeObject | undefined): PodSecurityLevel {
  const labels = namespace?.metadata?.labels;
  const value = isObject(labels) ? labels[ENFORCE_LABEL] : undefined;
  if (value === undefined) return DEFAULT_LEVEL;
  return LEVELS.includes(value) ? (value as PodSecurityLevel) : 'restricted';
}

/** A namespace's warn level, if it sets a valid one (upstream: no warnings when absent). */
export function warnLevel(namespace: KubeObject | undefined): PodSecurityLevel | undefined {
  const labels = namespace?.metadata?.labels;
  const value = isObject(labels) ? labels[WARN_LABEL] : undefined;
  return typeof value === 'string' && LEVELS.includes(value) ? (value as PodSecurityLevel) : undefined;
}

/** Field errors for pod-security.kubernetes.io/* labels whose value is not a level or a version. */
export function validatePodSecurityLabels(namespace: KubeObject): FieldError[] {
  const labels = namespace.metadata?.labels;
  if (!isObject(labels)) return [];
  const errors: FieldError[] = [];
  for (const mode of MODES) {
    const field = (key: string) => `metadata.labels[${key}]`;
    const levelKey = `${LABEL_PREFIX}${mode}`;
    const level = labels[levelKey];
    if (level !== undefined && !LEVELS.includes(level)) {
      errors.push(invalidValue(field(levelKey), level, `must be one of ${LEVELS.join(', ')}`));
    }
    const versionKey = `${levelKey}-version`;
    const version = labels[versionKey];
    if (version !== undefined && !(typeof version === 'string' && VERSION.test(version))) {
      errors.push(invalidValue(field(versionKey), version, 'must be "latest" or "v1.x"'));
    }
  }
  return errors;
}

interface PodParts {
  metadata: unknown;
  spec: unknown;
}

const isPods = (def: ResourceDef) => def.group === '' && def.resource === 'pods';
const isNamespaces = (def: ResourceDef) => def.group === '' && def.resource === 'namespaces';

const templateAt = (spec: Json) => spec.template;
/** Where each workload kind keeps its pod template, by group/resource. */
const TEMPLATES: Record<string, (spec: Json) => unknown> = {
  'apps/deployments': templateAt,
  'apps/replicasets': templateAt,
  'apps/daemonsets': templateAt,
  'apps/statefulsets': templateAt,
  'batch/jobs': templateAt,
  'batch/cronjobs': (spec) =>
    isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec)
      ? spec.jobTemplate.spec.template
      : undefined,
  '/replicationcontrollers': templateAt,
};
const templateReader = (def: ResourceDef) =>
  Object.hasOwn(TEMPLATES, `${def.group}/${def.resource}`)
    ? TEMPLATES[`${def.group}/${def.resource}`]
    : undefined;

/** A workload's pod template; undefined for kinds that hold none. */
function templateOf(def: ResourceDef, obj: KubeObject): PodParts | undefined {
  const read = templateReader(def);
  if (!read) return undefined;
  const template = read(isObject(obj.spec) ? obj.spec : {});
  const t = isObject(template) ? template : {};
  return { metadata: t.metadata, spec: t.spec };
}

/** True for the kinds Pod Security looks at: namespaces (labels), pods and pod-template workloads. */
export function podSecurityApplies(def: ResourceDef): boolean {
  return isNamespaces(def) || isPods(def) || templateReader(def) !== undefined;
}

/** Upstream's isSignificantPodUpdate: only container changes (other than the image) and seccomp annotations. */
function significantPodUpdate(next: KubeObject, old: KubeObject): boolean {
  const annotations = (o: KubeObject) => (isObject(o.metadata.annotations) ? o.metadata.annotations : {});
  const seccomp = (o: KubeObject) =>
    Object.entries(annotations(o))
      .filter(([k]) => k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_PREFIX))
      .sort(([a], [b]) => (a < b ? -1 : 1));
  if (!jsonEqual(seccomp(next), seccomp(old))) return true;
  const containers = (o: KubeObject) => {
    const spec = isObject(o.spec) ? o.spec : {};
    return [spec.containers, spec.initContainers, spec.ephemeralContainers].map((list) =>
      Array.isArray(list) ? list.map((c) => (isObject(c) ? { ...c, image: undefined } : c)) : list,
    );
  };
  return !jsonEqual(containers(next), containers(old));
}

/** The least privileged level that admits a pod with these violations of `level`. */
function levelThatAllows(level: PodSecurityLevel, parts: PodParts): PodSecurityLevel {
  return level === 'restricted' && evaluatePodSecurity('baseline', parts.metadata, parts.spec).length === 0
    ? 'baseline'
    : 'privileged';
}

function explain(
  verb: 'violates' | 'would violate',
  level: PodSecurityLevel,
  violations: PodSecurityViolation[],
  parts: PodParts | undefined,
): string {
  const what = `${verb} PodSecurity "${level}:latest": ${describeViolations(violations)}`;
  // The hint is for what the enforced level refuses (or will refuse); a warn-level warning needs none.
  if (!parts) return what;
  return `${what} (set the namespace label ${ENFORCE_LABEL}=${levelThatAllows(level, parts)} to allow)`;
}

export interface PodSecurityOptions {
  /** The stored object, on update: unchanged security-relevant parts are not re-judged. */
  old?: KubeObject;
  /** The name to report (a generateName prefix while the name is being generated, as upstream). */
  name?: string;
  /** Where warnings go (they become `Warning:` response headers). */
  warnings?: string[];
}

/**
 * Admits `obj` of kind `def`, created or updated in `namespace` (the Namespace object, undefined for
 * cluster-scoped kinds). Throws 403 for a pod the level forbids, 422 for a bad namespace label; adds a warning
 * for a workload whose pods would be refused.
 */
export function admitPodSecurity(
  def: ResourceDef,
  obj: KubeObject,
  namespace: KubeObject | undefined,
  opts: PodSecurityOptions = {},
): void {
  if (isNamespaces(def)) {
    const labelsOf = (o: KubeObject | undefined) =>
      Object.entries(isObject(o?.metadata?.labels) ? o.metadata.labels : {}).filter(([k]) =>
        k.startsWith(LABEL_PREFIX),
      );
    if (opts.old && jsonEqual(labelsOf(obj), labelsOf(opts.old))) return;
    const errors = validatePodSecurityLabels(obj);
    if (errors.length > 0) throw invalid(def.group, def.kind, obj.metadata.name ?? '', errors);
    return;
  }
  const level = enforceLevel(namespace);
  const warn = warnLevel(namespace);
  if (level === 'privileged' && (warn === undefined || warn === 'privileged')) return;
  // The warn level adds a warning for what it would refuse, unless the enforced level already says the same.
  const warnAbout = (parts: PodParts) => {
    if (warn === undefined || warn === 'privileged') return;
    if (warn === level || (warn === 'baseline' && level === 'restricted')) return;
    const violations = evaluatePodSecurity(warn, parts.metadata, parts.spec);
    if (violations.length > 0) opts.warnings?.push(explain('would violate', warn, violations, undefined));
  };
  if (isPods(def)) {
    if (opts.old && !significantPodUpdate(obj, opts.old)) return;
    const parts = { metadata: obj.metadata, spec: obj.spec };
    const violations = level === 'privileged' ? [] : evaluatePodSecurity(level, parts.metadata, parts.spec);
    if (violations.length === 0) return warnAbout(parts);
    const name = opts.name ?? obj.metadata.name ?? obj.metadata.generateName ?? '';
    throw forbiddenRequest(`pods "${name}" is forbidden: ${explain('violates', level, violations, parts)}`, {
      name,
      group: '',
      kind: 'pods',
    });
  }
  const template = templateOf(def, obj);
  if (!template) return;
  if (opts.old) {
    const before = templateOf(def, opts.old);
    if (before && jsonEqual(before, template)) return;
  }
  const violations =
    level === 'privileged' ? [] : evaluatePodSecurity(level, template.metadata, template.spec);
  if (violations.length > 0) opts.warnings?.push(explain('would violate', level, violations, template));
  else warnAbout(template);
}
