// `rollout history --revision N` prints the revision's pod template with kubectl's DescribePodTemplate, through a
// plain prefix writer (no tabwriter: kubectl leaves the tabs in, so the output is reproduced byte for byte).
// The parts a template of a skiff Deployment uses: labels, annotations, service account, containers (image,
// ports, command, resources, probes, environment, mounts), volumes, node selectors, tolerations.
import type { Container, PodTemplateSpec } from '../../api/types.js';
import { describeProbe } from '../describe/pod.js';
import { DescribeWriter, writeAnnotations, writeLabels, writeTolerations } from '../describe/format.js';

/** A DescribeWriter that keeps the raw text instead of aligning it. */
class RawWriter extends DescribeWriter {
  raw = '';

  override write(level: number, s: string): void {
    this.raw += '  '.repeat(level) + s;
  }
}

export function describePodTemplate(template: PodTemplateSpec | undefined): string {
  const w = new RawWriter();
  w.write(0, 'Pod Template:\n');
  if (!template) {
    w.write(1, '<unset>');
    return w.raw;
  }
  writeLabels(w, '  Labels', template.metadata?.labels);
  if (Object.keys(template.metadata?.annotations ?? {}).length > 0) {
    writeAnnotations(w, '  Annotations', template.metadata?.annotations);
  }
  const spec = template.spec ?? { containers: [] };
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) writeContainers(w, 'Init Containers', spec.initContainers);
  writeContainers(w, 'Containers', spec.containers ?? []);
  if (!spec.volumes?.length) {
    w.write(0, '  Volumes:\t<none>\n');
  } else {
    w.write(0, '  Volumes:\n');
    for (const v of spec.volumes) {
      const source = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      w.write(1, ` ${v.name}:\n`);
      w.write(2, `Type:\t${source[0].toUpperCase()}${source.slice(1)}\n`);
    }
  }
  writeLabels(w, '  Node-Selectors', spec.nodeSelector);
  writeTolerations(w, '  Tolerations', spec.tolerations);
  return w.raw;
}

function writeContainers(w: RawWriter, label: string, containers: Container[]): void {
  w.write(0, `  ${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const c of containers) {
    w.write(1, ` ${c.name}:\n`);
    w.write(2, `Image:\t${c.image ?? ''}\n`);
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ');
    w.write(2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${ports || '<none>'}\n`);
    const hostPorts = (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
    w.write(
      2,
      hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${hostPorts || '<none>'}\n`,
    );
    for (const [title, parts] of [
      ['Command', c.command],
      ['Args', c.args],
    ] as const) {
      if (!parts?.length) continue;
      w.write(2, `${title}:\n`);
      for (const part of parts) for (const line of part.split('\n')) w.write(3, `${line}\n`);
    }
    for (const [title, list] of [
      ['Limits', c.resources?.limits],
      ['Requests', c.resources?.requests],
    ] as const) {
      const names = Object.keys(list ?? {}).sort();
      if (names.length === 0) continue;
      w.write(2, `${title}:\n`);
      for (const n of names) w.write(3, `${n}:\t${list![n]}\n`);
    }
    if (c.livenessProbe) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    if (c.startupProbe) w.write(2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
    const env = c.env ?? [];
    w.write(2, env.length === 0 ? 'Environment:\t<none>\n' : 'Environment:\n');
    for (const e of env) {
      const from = e.valueFrom;
      if (!from) w.write(3, `${e.name}:\t${e.value ?? ''}\n`);
      else if (from.fieldRef)
        w.write(3, `${e.name}:\t (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})\n`);
      else if (from.secretKeyRef) {
        w.write(
          3,
          `${e.name}:\t<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>\n`,
        );
      } else if (from.configMapKeyRef) {
        const r = from.configMapKeyRef;
        w.write(3, `${e.name}:\t<set to the key '${r.key}' of config map '${r.name}'>\n`);
      } else w.write(3, `${e.name}:\t(${from.resourceFieldRef?.resource ?? ''})\n`);
    }
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : 1));
    w.write(2, mounts.length === 0 ? 'Mounts:\t<none>\n' : 'Mounts:\n');
    for (const m of mounts) w.write(3, `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})\n`);
  }
}
