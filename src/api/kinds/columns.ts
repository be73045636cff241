// Table column definitions shared by the kinds (meta.k8s.io/v1 TableColumnDefinition).
import type { PrintColumn } from '../resource-def.js';

const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.';

/** The Name column; `format: 'name'` makes kubectl print `pod/x` prefixes in multi-type output. */
export function nameColumn(priority = 0): PrintColumn {
  return { name: 'Name', type: 'string', format: 'name', description: NAME_DOC, priority };
}

export function ageColumn(): PrintColumn {
  return { name: 'Age', type: 'string', format: '', description: AGE_DOC, priority: 0 };
}

export function column(
  name: string,
  description: string,
  priority = 0,
  type: PrintColumn['type'] = 'string',
): PrintColumn {
  return { name, type, format: '', description, priority };
}
