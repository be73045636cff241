// `skiff describe configmap`: kubectl's describeConfigMap — metadata, each data key followed by its value, the
// binaryData keys with their sizes, then the events. ConfigMaps hold no secrets, so values are shown.
import type { ConfigMap, Event } from '../../api/types.js';
import { DescribeWriter, writeAnnotations, writeEvents, writeLabels } from './format.js';

export function describeConfigMap(cm: ConfigMap, events: Event[] | undefined, now: number): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${cm.metadata.name ?? ''}\n`);
  w.write(0, `Namespace:\t${cm.metadata.namespace ?? ''}\n`);
  writeLabels(w, 'Labels', cm.metadata.labels);
  writeAnnotations(w, 'Annotations', cm.metadata.annotations);
  w.write(0, '\nData\n====\n');
  const data = cm.data ?? {};
  for (const key of Object.keys(data).sort()) w.write(0, `${key}:\n----\n${String(data[key])}\n`);
  w.write(0, '\nBinaryData\n====\n');
  const binary = cm.binaryData ?? {};
  for (const key of Object.keys(binary).sort()) {
    w.write(0, `${key}: ${Buffer.from(String(binary[key]), 'base64').length} bytes\n`);
  }
  w.write(0, '\n');
  writeEvents(w, events, now);
  return w.toString();
}
