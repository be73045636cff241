// `skiff describe` for every kind without its own describer: the metadata kubectl shows first, then each other
// top-level field (spec, status, data, …) as indented YAML, then the events.
import { stringify } from 'yaml';
import type { Event, KubeObject } from '../../api/types.js';
import {
  controlledBy,
  DescribeWriter,
  rfc1123z,
  writeAnnotations,
  writeEvents,
  writeLabels,
} from './format.js';
import { describeSecret, isSecret } from './secret.js';

export function describeGeneric(obj: KubeObject, events: Event[] | undefined, now: number): string {
  // A Secret's values never reach describe output, whichever describer is asked for it.
  if (isSecret(obj)) return describeSecret(obj);
  const w = new DescribeWriter();
  w.write(0, `Name:\t${obj.metadata.name ?? ''}\n`);
  if (obj.metadata.namespace) w.write(0, `Namespace:\t${obj.metadata.namespace}\n`);
  writeLabels(w, 'Labels', obj.metadata.labels);
  writeAnnotations(w, 'Annotations', obj.metadata.annotations);
  w.write(0, `API Version:\t${obj.apiVersion}\n`);
  w.write(0, `Kind:\t${obj.kind}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(obj.metadata.creationTimestamp)}\n`);
  const owner = controlledBy(obj.metadata);
  if (owner) w.write(0, `Controlled By:\t${owner}\n`);
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || value === undefined) continue;
    w.write(0, `${title(key)}:`);
    if (value === null || typeof value !== 'object') {
      w.write(0, `\t${String(value)}\n`);
      continue;
    }
    if (Object.keys(value).length === 0) {
      w.write(0, '\t<none>\n');
      continue;
    }
    const yaml = stringify(value, { lineWidth: 0 }).replace(/\n$/, '').replace(/\t/g, '    ');
    w.write(
      0,
      '\n' +
        yaml
          .split('\n')
          .map((l) => `  ${l}\n`)
          .join(''),
    );
  }
  writeEvents(w, events, now);
  return w.toString();
}

/** `spec` → `Spec`, `involvedObject` → `Involved Object`, as kubectl labels unstructured fields. */
function title(field: string): string {
  const spaced = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
