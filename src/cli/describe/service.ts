// `skiff describe service`: kubectl's describeService, with the endpoints read from the v1 Endpoints object.
import type { Event, KubeObject, Service, ServicePort } from '../../api/types.js';
import { formatLabels } from '../../api/format.js';
import { DescribeWriter, writeAnnotations, writeEvents, writeLabels } from './format.js';

interface EndpointSubset {
  addresses?: { ip: string }[];
  ports?: { name?: string; port: number }[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

export function describeService(
  svc: Service,
  endpoints: Endpoints | undefined,
  events: Event[] | undefined,
  now: number,
): string {
  const w = new DescribeWriter();
  const spec = svc.spec ?? {};
  w.write(0, `Name:\t${svc.metadata.name ?? ''}\n`);
  w.write(0, `Namespace:\t${svc.metadata.namespace ?? ''}\n`);
  writeLabels(w, 'Labels', svc.metadata.labels);
  writeAnnotations(w, 'Annotations', svc.metadata.annotations);
  w.write(0, `Selector:\t${formatLabels(spec.selector)}\n`);
  w.write(0, `Type:\t${spec.type ?? ''}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(',') : '<none>'}\n`);
  w.write(0, `IP:\t${spec.clusterIP ?? ''}\n`);
  w.write(0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(',') : '<none>'}\n`);
  if (spec.externalIPs?.length) w.write(0, `External IPs:\t${spec.externalIPs.join(',')}\n`);
  if (spec.externalName) w.write(0, `External Name:\t${spec.externalName}\n`);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) {
    w.write(0, `LoadBalancer Ingress:\t${ingress.map((i) => i.ip || i.hostname).join(', ')}\n`);
  }
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    const proto = p.protocol ?? 'TCP';
    w.write(0, `Port:\t${name}\t${p.port}/${proto}\n`);
    w.write(0, `TargetPort:\t${p.targetPort ?? p.port}/${proto}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${proto}\n`);
    w.write(0, `Endpoints:\t${formatEndpoints(endpoints, p)}\n`);
  }
  w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? 'None'}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  writeEvents(w, events, now);
  return w.toString();
}

/** kubectl's formatEndpoints: up to three `ip:port` of the port's name, then `+ N more...`. */
export function formatEndpoints(endpoints: Endpoints | undefined, port: ServicePort): string {
  const subsets = endpoints?.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const matching = ss.ports?.length
      ? ss.ports.filter((p) => (p.name ?? '') === (port.name ?? ''))
      : [undefined];
    for (const p of matching) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) break;
        const host = a.ip.includes(':') ? `[${a.ip}]` : a.ip;
        list.push(p ? `${host}:${p.port}` : a.ip);
      }
    }
  }
  const text = list.join(',');
  return count > max ? `${text} + ${count - max} more...` : text;
}
