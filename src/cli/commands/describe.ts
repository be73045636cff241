// `skiff describe KIND [NAME…]`: fetch the object and what its describer shows alongside it (events, a node's
// pods and lease, a service's endpoints), then print the pure describers' text (src/cli/describe/).
import type { Command } from 'commander';
import type { ResourceDef } from '../../api/resource-def.js';
import type { ConfigMap, Event, KubeObject, Lease, Namespace, Node, Pod, Service } from '../../api/types.js';
import type { Secret } from '../../api/kinds/secret.js';
import { EVENTS, LEASES, PODS, type ResourceRef } from '../../client/api-client.js';
import { ApiError } from '../../common/errors.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { CliError } from '../errors.js';
import { describeConfigMap } from '../describe/configmap.js';
import { describeGeneric } from '../describe/generic.js';
import { describeSecret } from '../describe/secret.js';
import { describeNamespace } from '../describe/namespace.js';
import { describeNode } from '../describe/node.js';
import { describePod } from '../describe/pod.js';
import { describeService, type Endpoints } from '../describe/service.js';
import { mustResolve, refOf, scopeNamespace } from '../resources.js';

const ENDPOINTS: ResourceRef = { group: '', version: 'v1', resource: 'endpoints' };

export function register(program: Command, host: CommandHost): void {
  program
    .command('describe')
    .description('Show details of a resource, with its events')
    .argument('<type>', 'resource type, or TYPE/NAME')
    .argument('[names...]', 'names (all objects of the type when omitted)')
    .option('-l, --selector <selector>', 'label selector, when no names are given')
    .action(async (type: string, names: string[], opts: { selector?: string }, cmd: Command) => {
      host.exit(await runDescribe(host.session(cmd), [type, ...names], opts.selector));
    });
}

export async function runDescribe(s: Session, args: string[], selector?: string): Promise<number> {
  let [type, ...names] = args;
  if (type.includes('/')) {
    if (names.length > 0) throw new CliError('error: specify either TYPE/NAME or TYPE NAME…, not both');
    [type, names] = [type.slice(0, type.indexOf('/')), [type.slice(type.indexOf('/') + 1)]];
  }
  const def = mustResolve(s.ctx.catalog, type);
  const namespace = scopeNamespace(def, s.namespace);
  let objects: KubeObject[];
  if (names.length > 0) {
    objects = [];
    for (const name of names) objects.push(await s.client.get(refOf(def), namespace, name));
  } else {
    objects = (await s.client.list(refOf(def), namespace, { labelSelector: selector })).items ?? [];
    if (objects.length === 0) {
      s.ctx.stderr.write(
        `No resources found in ${namespace ?? 'the cluster'}${namespace ? ' namespace' : ''}.\n`,
      );
      return 0;
    }
  }
  let first = true;
  for (const obj of objects) {
    const text = await describeObject(s, def, obj);
    s.ctx.stdout.write((first ? '' : '\n\n') + text);
    first = false;
  }
  return 0;
}

async function describeObject(s: Session, def: ResourceDef, obj: KubeObject): Promise<string> {
  const now = s.ctx.clock.now();
  const isCore = def.group === '' && def.version === 'v1';
  if (isCore && def.kind === 'Pod') return describePod(obj as Pod, await eventsFor(s, obj), now);
  if (isCore && def.kind === 'Namespace') return describeNamespace(obj as Namespace);
  if (isCore && def.kind === 'ConfigMap')
    return describeConfigMap(obj as ConfigMap, await eventsFor(s, obj), now);
  if (isCore && def.kind === 'Secret') return describeSecret(obj as Secret);
  if (isCore && def.kind === 'Service') {
    const endpoints = await optional(() =>
      s.client.get<Endpoints>(ENDPOINTS, obj.metadata.namespace, obj.metadata.name ?? ''),
    );
    return describeService(obj as Service, endpoints, await eventsFor(s, obj), now);
  }
  if (isCore && def.kind === 'Node') {
    const name = obj.metadata.name ?? '';
    const pods = await optional(async () => {
      const list = await s.client.list<Pod>(PODS, undefined, { fieldSelector: `spec.nodeName=${name}` });
      return (list.items ?? []).filter(
        (p) => p.spec?.nodeName === name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
      );
    });
    const lease = await optional(() => s.client.get<Lease>(LEASES, 'kube-node-lease', name));
    return describeNode({ node: obj as Node, pods, lease, events: await eventsFor(s, obj) }, now);
  }
  return describeGeneric(obj, await eventsFor(s, obj), now);
}

/**
 * The events about `obj`, selected by involvedObject fields (and filtered here too, in case the server ignores a
 * selector). Nodes' events live in any namespace and may carry the node name as uid. Undefined when unreadable.
 */
async function eventsFor(s: Session, obj: KubeObject): Promise<Event[] | undefined> {
  const name = obj.metadata.name ?? '';
  const namespace = obj.metadata.namespace;
  const uid = obj.metadata.uid;
  const isNode = obj.kind === 'Node';
  const selector = isNode
    ? `involvedObject.kind=Node,involvedObject.name=${name}`
    : [
        `involvedObject.name=${name}`,
        `involvedObject.namespace=${namespace ?? ''}`,
        uid && `involvedObject.uid=${uid}`,
      ]
        .filter(Boolean)
        .join(',');
  const matches = (e: Event) =>
    e.involvedObject?.name === name &&
    (isNode
      ? e.involvedObject.kind === 'Node'
      : (e.involvedObject.namespace ?? '') === (namespace ?? '') && (!uid || e.involvedObject.uid === uid));
  const list = async (fieldSelector?: string) =>
    (await s.client.list<Event>(EVENTS, isNode ? undefined : namespace, { fieldSelector })).items ?? [];
  try {
    return (await list(selector)).filter(matches);
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'BadRequest') {
      return optional(async () => (await list()).filter(matches));
    }
    if (err instanceof ApiError && (err.reason === 'Forbidden' || err.reason === 'NotFound'))
      return undefined;
    throw err;
  }
}

/** The result, or undefined when the server answers with an error (the describer then leaves that part out). */
async function optional<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && !(err as Error & { cause?: unknown }).cause) return undefined;
    throw err;
  }
}
