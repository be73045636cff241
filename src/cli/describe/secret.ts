// `skiff describe secret`: kubectl's describeSecret — metadata, the type, then each key with the size of its value.
// Values are never printed. (kubectl prints the token of a service-account-token Secret in clear; skiff shows its
// size like every other value, so describe output is always safe to paste.)
import type { Secret } from '../../api/kinds/secret.js';
import type { KubeObject } from '../../api/types.js';
import { DescribeWriter, writeAnnotations, writeLabels } from './format.js';

export function isSecret(obj: KubeObject): obj is Secret {
  return obj.apiVersion === 'v1' && obj.kind === 'Secret';
}

/** Bytes of a base64 value, computed from its length (padding aside), without decoding it. */
function decodedSize(value: unknown): number {
  if (typeof value !== 'string') return 0;
  const s = value.replace(/[\r\n]/g, '');
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((s.length * 3) / 4) - padding);
}

export function describeSecret(secret: Secret): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${secret.metadata.name ?? ''}\n`);
  w.write(0, `Namespace:\t${secret.metadata.namespace ?? ''}\n`);
  writeLabels(w, 'Labels', secret.metadata.labels);
  writeAnnotations(w, 'Annotations', secret.metadata.annotations);
  w.write(0, `\nType:\t${typeof secret.type === 'string' ? secret.type : ''}\n`);
  w.write(0, '\nData\n====\n');
  const data = secret.data && typeof secret.data === 'object' ? secret.data : {};
  for (const key of Object.keys(data).sort()) w.write(0, `${key}:\t${decodedSize(data[key])} bytes\n`);
  return w.toString();
}
