// Validation of a PodSpec (k8s.io/kubernetes/pkg/apis/core/validation/validation.go, the parts skiff uses):
// containers (container-validation.ts), volumes, tolerations, affinity and topology spread constraints
// (affinity-validation.ts) and pod-level policies. Shared by Pods and every pod template; messages and field
// paths are Kubernetes' so kubectl prints familiar errors.
import {
  duplicate,
  type FieldError,
  forbidden,
  invalidValue,
  notSupported,
  required,
} from '../common/errors.js';
import { validateAffinity, validateTopologySpreadConstraints } from './affinity-validation.js';
import { validateContainers } from './container-validation.js';
import type { FieldPath } from './field-path.js';
import { VOLUME_SOURCES } from './pod-spec-defaults.js';
import { isValidQuantity, QUANTITY_FORMAT_ERROR } from './quantity.js';
import type { PodSpec, Toleration, Volume } from './types.js';
import {
  inclusiveRangeError,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  validateLabels,
  validateNonNegative,
} from './validation.js';

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (p: FieldPath) => String(p);

export function validatePodSpec(spec: PodSpec | undefined, path: FieldPath): FieldError[] {
  if (!isObject(spec)) return [required(s(path))];
  const errs: FieldError[] = [];
  const { errs: volumeErrs, names: volumes } = validateVolumes(spec.volumes, path.child('volumes'));
  errs.push(...volumeErrs);

  const seen = new Set<string>();
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    errs.push(required(s(path.child('containers'))));
  } else {
    errs.push(...validateContainers(spec.containers, volumes, path.child('containers'), seen, false));
  }
  if (spec.initContainers !== undefined && spec.initContainers !== null) {
    if (!Array.isArray(spec.initContainers))
      errs.push(invalidValue(s(path.child('initContainers')), spec.initContainers, 'must be a list'));
    else
      errs.push(
        ...validateContainers(spec.initContainers, volumes, path.child('initContainers'), seen, true),
      );
  }

  if (!['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy as string)) {
    errs.push(
      spec.restartPolicy
        ? notSupported(s(path.child('restartPolicy')), spec.restartPolicy, ['Always', 'OnFailure', 'Never'])
        : required(s(path.child('restartPolicy'))),
    );
  }
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (!dnsPolicies.includes(spec.dnsPolicy as string)) {
    errs.push(
      spec.dnsPolicy
        ? notSupported(s(path.child('dnsPolicy')), spec.dnsPolicy, dnsPolicies)
        : required(s(path.child('dnsPolicy'))),
    );
  } else if (spec.dnsPolicy === 'None' && !spec.dnsConfig) {
    errs.push(
      required(
        s(path.child('dnsConfig')),
        'Required value: must provide `dnsConfig` when `dnsPolicy` is None',
      ),
    );
  }
  errs.push(
    ...validateNonNegative(spec.terminationGracePeriodSeconds, path.child('terminationGracePeriodSeconds')),
  );
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && !(Number.isInteger(ads) && ads >= 1 && ads <= 2147483647)) {
    errs.push(invalidValue(s(path.child('activeDeadlineSeconds')), ads, inclusiveRangeError(1, 2147483647)));
  }
  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  for (const field of ['hostname', 'subdomain'] as const) {
    const v = spec[field];
    if (v) for (const msg of isDns1123Label(v)) errs.push(invalidValue(s(path.child(field)), v, msg));
  }
  if (spec.serviceAccountName) {
    for (const msg of isDns1123Subdomain(spec.serviceAccountName))
      errs.push(invalidValue(s(path.child('serviceAccountName')), spec.serviceAccountName, msg));
  }
  if (spec.nodeName) {
    for (const msg of isDns1123Subdomain(spec.nodeName))
      errs.push(invalidValue(s(path.child('nodeName')), spec.nodeName, msg));
  }
  if (spec.tolerations !== undefined)
    errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  errs.push(
    ...validateTopologySpreadConstraints(
      spec.topologySpreadConstraints,
      path.child('topologySpreadConstraints'),
    ),
  );
  return errs;
}

export function validateVolumes(
  volumes: unknown,
  path: FieldPath,
): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  if (volumes === undefined || volumes === null) return { errs, names };
  if (!Array.isArray(volumes)) return { errs: [invalidValue(s(path), volumes, 'must be a list')], names };
  volumes.forEach((v: Volume, i) => {
    const p = path.index(i);
    if (!isObject(v)) return void errs.push(invalidValue(s(p), v, 'must be an object'));
    if (!v.name) errs.push(required(s(p.child('name'))));
    else {
      for (const msg of isDns1123Label(v.name)) errs.push(invalidValue(s(p.child('name')), v.name, msg));
      if (names.has(v.name)) errs.push(duplicate(s(p.child('name')), v.name));
      names.add(v.name);
    }
    const record = v as unknown as Record<string, any>;
    const present = VOLUME_SOURCES.filter((src) => record[src] !== undefined && record[src] !== null);
    if (present.length === 0) errs.push(required(s(p), 'Required value: must specify a volume type'));
    for (const extra of present.slice(1))
      errs.push(forbidden(s(p.child(extra)), 'may not specify more than 1 volume type'));
    if (isObject(v.hostPath)) errs.push(...validateHostPath(v.hostPath, p.child('hostPath')));
    if (isObject(record.configMap) && !record.configMap.name)
      errs.push(required(s(p.child('configMap', 'name'))));
    if (isObject(record.secret) && !record.secret.secretName)
      errs.push(required(s(p.child('secret', 'secretName'))));
    if (isObject(v.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) {
      errs.push(required(s(p.child('persistentVolumeClaim', 'claimName'))));
    }
    if (isObject(v.emptyDir)) {
      const { medium, sizeLimit } = v.emptyDir;
      if (medium !== undefined && medium !== '' && medium !== 'Memory')
        errs.push(notSupported(s(p.child('emptyDir', 'medium')), medium, ['', 'Memory']));
      if (sizeLimit !== undefined && !isValidQuantity(sizeLimit))
        errs.push(invalidValue(s(p.child('emptyDir', 'sizeLimit')), sizeLimit, QUANTITY_FORMAT_ERROR));
    }
  });
  return { errs, names };
}

const HOST_PATH_TYPES = [
  '',
  'DirectoryOrCreate',
  'Directory',
  'FileOrCreate',
  'File',
  'Socket',
  'CharDevice',
  'BlockDevice',
];

function validateHostPath(hp: { path?: string; type?: string }, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!hp.path) errs.push(required(s(path.child('path'))));
  else {
    if (!hp.path.startsWith('/'))
      errs.push(invalidValue(s(path.child('path')), hp.path, 'must be an absolute path'));
    if (hp.path.split('/').includes('..'))
      errs.push(invalidValue(s(path.child('path')), hp.path, "must not contain '..'"));
  }
  if (hp.type !== undefined && !HOST_PATH_TYPES.includes(hp.type))
    errs.push(notSupported(s(path.child('type')), hp.type, HOST_PATH_TYPES));
  return errs;
}

export function validateTolerations(tolerations: unknown, path: FieldPath): FieldError[] {
  if (tolerations === null) return [];
  if (!Array.isArray(tolerations)) return [invalidValue(s(path), tolerations, 'must be a list')];
  const errs: FieldError[] = [];
  tolerations.forEach((t: Toleration, i) => {
    const p = path.index(i);
    if (!isObject(t)) return void errs.push(invalidValue(s(p), t, 'must be an object'));
    if (t.key)
      for (const msg of isQualifiedName(t.key)) errs.push(invalidValue(s(p.child('key')), t.key, msg));
    const operator = t.operator ?? 'Equal';
    if (!t.key && operator !== 'Exists') {
      errs.push(
        invalidValue(
          s(p.child('operator')),
          operator,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (operator === 'Exists' && t.value)
      errs.push(
        invalidValue(s(p.child('operator')), t.value, "value must be empty when `operator` is 'Exists'"),
      );
    if (operator !== 'Exists' && operator !== 'Equal')
      errs.push(notSupported(s(p.child('operator')), operator, ['Equal', 'Exists']));
    if (
      t.effect !== undefined &&
      (t.effect as string) !== '' &&
      !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)
    ) {
      errs.push(
        notSupported(s(p.child('effect')), t.effect, ['NoExecute', 'NoSchedule', 'PreferNoSchedule']),
      );
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(
        invalidValue(
          s(p.child('effect')),
          t.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
  });
  return errs;
}
