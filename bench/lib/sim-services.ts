// Simulated Services and Endpoints for the proxy and DNS benchmarks: svc-N in `default`, ClusterIP from
// 10.96.0.0/12, one TCP port 80 → 8080, each with `endpoints` ready pod addresses in 10.244.0.0/16.
import type { Endpoints, Service } from '../../src/api/types.js';

export function serviceIP(i: number): string {
  const n = i + 10; // clear of 10.96.0.1 (kubernetes) and 10.96.0.10 (DNS)
  return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

function podIP(i: number, e: number, perService: number): string {
  const n = i * perService + e;
  return `10.244.${Math.floor(n / 250)}.${(n % 250) + 2}`;
}

export function simServices(
  count: number,
  endpointsPer: number,
): { services: Service[]; endpoints: Endpoints[] } {
  const services: Service[] = [];
  const endpoints: Endpoints[] = [];
  for (let i = 0; i < count; i++) {
    const name = `svc-${i}`;
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default', uid: `svc-uid-${i}`, resourceVersion: String(i + 1) },
      spec: {
        type: 'ClusterIP',
        clusterIP: serviceIP(i),
        clusterIPs: [serviceIP(i)],
        selector: { app: name },
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      },
    } as Service);
    endpoints.push({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: 'default', resourceVersion: String(count + i + 1) },
      subsets: [
        {
          addresses: Array.from({ length: endpointsPer }, (_, e) => ({ ip: podIP(i, e, endpointsPer) })),
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        },
      ],
    } as Endpoints);
  }
  return { services, endpoints };
}
