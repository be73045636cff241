// `skiff describe namespace`: kubectl's describeNamespace. skiff serves no ResourceQuota or LimitRange kinds, so
// (as kubectl shows against skiff) there is no quota or limit section.
import type { Namespace } from '../../api/types.js';
import { DescribeWriter, writeAnnotations, writeLabels } from './format.js';

export function describeNamespace(ns: Namespace): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${ns.metadata.name ?? ''}\n`);
  writeLabels(w, 'Labels', ns.metadata.labels);
  writeAnnotations(w, 'Annotations', ns.metadata.annotations);
  w.write(0, `Status:\t${ns.status?.phase ?? ''}\n`);
  return w.toString();
}
