// Validation of containers (k8s.io/kubernetes/pkg/apis/core/validation): names, images, ports, env,
// resources (requests <= limits), volume mounts and probes. Used by validatePodSpec for containers and init
// containers alike.
import {
  duplicate,
  type FieldError,
  forbidden,
  invalidValue,
  notSupported,
  required,
} from '../common/errors.js';
import type { FieldPath } from './field-path.js';
import { isValidQuantity, parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.js';
import type { Container, Probe } from './types.js';
import {
  isDns1123Label,
  isEnvVarName,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
  notFoundValue,
  validateNonNegative,
} from './validation.js';

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (p: FieldPath) => String(p);

export function validateContainers(
  containers: Container[],
  volumes: Set<string>,
  path: FieldPath,
  seen: Set<string> = new Set(),
  init = false,
): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, i) => {
    const p = path.index(i);
    if (!isObject(c)) {
      errs.push(invalidValue(s(p), c, 'must be an object'));
      return;
    }
    if (!c.name) errs.push(required(s(p.child('name'))));
    else {
      for (const msg of isDns1123Label(c.name)) errs.push(invalidValue(s(p.child('name')), c.name, msg));
      if (seen.has(c.name)) errs.push(duplicate(s(p.child('name')), c.name));
      seen.add(c.name);
    }
    if (!c.image) errs.push(required(s(p.child('image'))));
    else if (c.image.trim() !== c.image)
      errs.push(invalidValue(s(p.child('image')), c.image, 'must not have leading or trailing whitespace'));
    if (c.imagePullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
      errs.push(
        notSupported(s(p.child('imagePullPolicy')), c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']),
      );
    }
    if (c.restartPolicy !== undefined) {
      if (!init) errs.push(forbidden(s(p.child('restartPolicy')), 'may not be set for non-init containers'));
      else if (c.restartPolicy !== 'Always')
        errs.push(notSupported(s(p.child('restartPolicy')), c.restartPolicy, ['Always']));
    }
    errs.push(...validatePorts(c.ports, p.child('ports')));
    errs.push(...validateEnv(c.env, p.child('env')));
    errs.push(...validateResources(c.resources, p.child('resources')));
    errs.push(...validateVolumeMounts(c.volumeMounts, volumes, p.child('volumeMounts')));
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      const probe = c[kind];
      if (probe === undefined || probe === null) continue;
      if (init && c.restartPolicy !== 'Always') {
        errs.push(
          forbidden(s(p.child(kind)), 'may not be set for init containers without restartPolicy=Always'),
        );
      } else {
        errs.push(...validateProbe(probe, p.child(kind), kind !== 'readinessProbe'));
      }
    }
  });
  return errs;
}

function validatePorts(ports: unknown, path: FieldPath): FieldError[] {
  if (ports === undefined || ports === null) return [];
  if (!Array.isArray(ports)) return [invalidValue(s(path), ports, 'must be a list')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.index(i);
    if (!isObject(port)) return void errs.push(invalidValue(s(p), port, 'must be an object'));
    if (port.containerPort === undefined) errs.push(required(s(p.child('containerPort'))));
    else
      for (const msg of isValidPortNum(port.containerPort))
        errs.push(invalidValue(s(p.child('containerPort')), port.containerPort, msg));
    if (port.hostPort !== undefined && port.hostPort !== 0) {
      for (const msg of isValidPortNum(port.hostPort))
        errs.push(invalidValue(s(p.child('hostPort')), port.hostPort, msg));
    }
    if (!['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
      errs.push(
        port.protocol
          ? notSupported(s(p.child('protocol')), port.protocol, ['SCTP', 'TCP', 'UDP'])
          : required(s(p.child('protocol'))),
      );
    }
    if (port.name !== undefined && port.name !== '') {
      for (const msg of isValidPortName(String(port.name)))
        errs.push(invalidValue(s(p.child('name')), port.name, msg));
      if (names.has(port.name)) errs.push(duplicate(s(p.child('name')), port.name));
      names.add(port.name);
    }
  });
  return errs;
}

function validateEnv(env: unknown, path: FieldPath): FieldError[] {
  if (env === undefined || env === null) return [];
  if (!Array.isArray(env)) return [invalidValue(s(path), env, 'must be a list')];
  const errs: FieldError[] = [];
  env.forEach((e, i) => {
    const p = path.index(i);
    if (!isObject(e)) return void errs.push(invalidValue(s(p), e, 'must be an object'));
    if (!e.name) errs.push(required(s(p.child('name'))));
    else
      for (const msg of isEnvVarName(String(e.name)))
        errs.push(invalidValue(s(p.child('name')), e.name, msg));
    if (e.valueFrom !== undefined && e.valueFrom !== null) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter(
        (k) => isObject(e.valueFrom) && e.valueFrom[k],
      );
      if (e.value)
        errs.push(
          invalidValue(s(p.child('valueFrom')), '', 'may not be specified when `value` is not empty'),
        );
      if (sources.length === 0)
        errs.push(
          invalidValue(
            s(p.child('valueFrom')),
            '',
            'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
          ),
        );
      else if (sources.length > 1)
        errs.push(
          invalidValue(s(p.child('valueFrom')), '', 'may not have more than one field specified at a time'),
        );
      else if (sources[0] === 'fieldRef' && !e.valueFrom.fieldRef.fieldPath)
        errs.push(required(s(p.child('valueFrom', 'fieldRef', 'fieldPath'))));
    }
  });
  return errs;
}

const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage']);

function validateResources(resources: unknown, path: FieldPath): FieldError[] {
  if (resources === undefined || resources === null) return [];
  if (!isObject(resources)) return [invalidValue(s(path), resources, 'must be an object')];
  const errs: FieldError[] = [];
  const parsed: Record<'limits' | 'requests', Map<string, number>> = {
    limits: new Map(),
    requests: new Map(),
  };
  for (const kind of ['limits', 'requests'] as const) {
    const values = resources[kind];
    if (values === undefined || values === null) continue;
    if (!isObject(values)) {
      errs.push(invalidValue(s(path.child(kind)), values, 'must be a map of resource names to quantities'));
      continue;
    }
    for (const [name, raw] of Object.entries(values)) {
      const p = path.child(kind).key(name);
      if (
        !STANDARD_RESOURCES.has(name) &&
        !name.startsWith('hugepages-') &&
        !(name.includes('/') && isQualifiedName(name).length === 0)
      ) {
        errs.push(invalidValue(s(p), name, 'must be a standard resource type or fully qualified'));
        continue;
      }
      if (!isValidQuantity(raw)) {
        errs.push(invalidValue(s(p), raw, QUANTITY_FORMAT_ERROR));
        continue;
      }
      const q = parseQuantity(raw as string);
      if (q < 0) errs.push(invalidValue(s(p), raw, 'must be greater than or equal to 0'));
      else parsed[kind].set(name, q);
    }
  }
  for (const [name, request] of parsed.requests) {
    const limit = parsed.limits.get(name);
    if (limit !== undefined && request > limit) {
      const raw = String(resources.requests[name]);
      errs.push(
        invalidValue(
          s(path.child('requests').key(name)),
          raw,
          `must be less than or equal to ${name} limit of ${String(resources.limits[name])}`,
        ),
      );
    }
  }
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: FieldPath): FieldError[] {
  if (mounts === undefined || mounts === null) return [];
  if (!Array.isArray(mounts)) return [invalidValue(s(path), mounts, 'must be a list')];
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const p = path.index(i);
    if (!isObject(m)) return void errs.push(invalidValue(s(p), m, 'must be an object'));
    if (!m.name) errs.push(required(s(p.child('name'))));
    else if (!volumes.has(m.name)) errs.push(notFoundValue(p.child('name'), m.name));
    if (!m.mountPath) errs.push(required(s(p.child('mountPath'))));
    else if (paths.has(m.mountPath))
      errs.push(invalidValue(s(p.child('mountPath')), m.mountPath, 'must be unique'));
    else paths.add(m.mountPath);
    if (m.subPath) {
      if (String(m.subPath).startsWith('/'))
        errs.push(invalidValue(s(p.child('subPath')), m.subPath, 'must be a relative path'));
      if (String(m.subPath).split('/').includes('..'))
        errs.push(invalidValue(s(p.child('subPath')), m.subPath, "must not contain '..'"));
    }
  });
  return errs;
}

function validateProbePort(port: unknown, path: FieldPath): FieldError[] {
  if (port === undefined || port === null || port === '') return [required(s(path))];
  const msgs = typeof port === 'number' ? isValidPortNum(port) : isValidPortName(String(port));
  return msgs.map((msg) => invalidValue(s(path), port, msg));
}

export function validateProbe(probe: Probe, path: FieldPath, successMustBeOne: boolean): FieldError[] {
  if (!isObject(probe)) return [invalidValue(s(path), probe, 'must be an object')];
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) =>
    isObject((probe as Record<string, unknown>)[h]),
  );
  if (handlers.length === 0) errs.push(required(s(path), 'Required value: must specify a handler type'));
  for (const extra of handlers.slice(1))
    errs.push(forbidden(s(path.child(extra)), 'may not specify more than 1 handler type'));
  if (isObject(probe.exec) && (!Array.isArray(probe.exec.command) || probe.exec.command.length === 0)) {
    errs.push(required(s(path.child('exec', 'command'))));
  }
  if (isObject(probe.httpGet))
    errs.push(...validateProbePort(probe.httpGet.port, path.child('httpGet', 'port')));
  if (isObject(probe.tcpSocket))
    errs.push(...validateProbePort(probe.tcpSocket.port, path.child('tcpSocket', 'port')));
  for (const f of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const) {
    errs.push(...validateNonNegative(probe[f], path.child(f)));
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalidValue(s(path.child('successThreshold')), probe.successThreshold, 'must be 1'));
  }
  return errs;
}
