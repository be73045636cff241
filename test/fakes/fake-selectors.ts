// Label and field selector matching for FakeApiClient, with the API server's own parsers (src/api/selectors.ts).
// Field values come from the object by dotted path (`spec.nodeName`, `involvedObject.uid`); missing = "".
import type { KubeObject } from '../../src/api/types.js';
import { parseFieldSelector, parseLabelSelector } from '../../src/api/selectors.js';

export type Matcher = (obj: KubeObject) => boolean;

/** The value of a dotted field path, '' when missing. */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Throws 400 BadRequest for a malformed selector, as the server does. */
export function selectorMatcher(labelSelector?: string, fieldSelector?: string): Matcher {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector);
  return (obj) =>
    labels.matches(obj.metadata.labels) &&
    (fields.empty ||
      fields.matches(Object.fromEntries(fields.fieldNames.map((f) => [f, fieldValue(obj, f)]))));
}
