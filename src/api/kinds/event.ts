// v1 Event (core/v1, the API `kubectl describe` and `kubectl get events` read): something that happened to
// an object, e.g. Scheduled, Pulled, Started, BackOff. Controllers, the scheduler and agents write them.
import { invalidValue, notSupported } from '../../common/errors.js';
import { formatEventSource, translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { Event } from '../types.js';
import { validateObjectMeta } from '../validation.js';
import { column, nameColumn } from './columns.js';

/** `pod/web-1` (or just the kind when the event is about a kind as a whole). */
export function eventTarget(ev: Event): string {
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  return ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
}

export const eventDef: ResourceDef<Event> = {
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  listKind: 'EventList',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,

  defaults(ev) {
    if (typeof ev.involvedObject !== 'object' || ev.involvedObject === null) ev.involvedObject = {};
  },
  validate(ev) {
    const errs = validateObjectMeta(ev.metadata, { namespaced: true });
    const ns = ev.involvedObject?.namespace;
    if (ns && ev.metadata?.namespace && ns !== ev.metadata.namespace) {
      errs.push(invalidValue('involvedObject.namespace', ns, 'does not match event.namespace'));
    }
    if (
      ev.type !== undefined &&
      (ev.type as string) !== '' &&
      ev.type !== 'Normal' &&
      ev.type !== 'Warning'
    ) {
      errs.push(notSupported('type', ev.type, ['Normal', 'Warning']));
    }
    if (ev.count !== undefined && (!Number.isInteger(ev.count) || ev.count < 0)) {
      errs.push(invalidValue('count', ev.count, 'must be greater than or equal to 0'));
    }
    return errs;
  },

  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column(
      'Reason',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'The object that this event is about.'),
    column(
      'Subobject',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].',
      1,
    ),
    column(
      'Source',
      'The component reporting this event. Should be a short machine understandable string.',
      1,
    ),
    column('Message', 'A human-readable description of the status of this operation.'),
    column(
      'First Seen',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      1,
    ),
    column('Count', 'The number of times this event has occurred.', 1),
    nameColumn(1),
  ],
  row(ev, ctx) {
    const first = translateTimestampSince(ev.firstTimestamp || ev.eventTime, ctx.now);
    const last = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, ctx.now) : first;
    return [
      last,
      ev.type ?? '',
      ev.reason ?? '',
      eventTarget(ev),
      ev.involvedObject?.fieldPath ?? '',
      formatEventSource(
        ev.source?.component || ev.reportingComponent,
        ev.source?.host || ev.reportingInstance,
      ),
      (ev.message ?? '').trim(),
      first,
      ev.count || 1,
      ev.metadata.name ?? '',
    ];
  },
  fields: (ev) => ({
    'involvedObject.kind': ev.involvedObject?.kind ?? '',
    'involvedObject.namespace': ev.involvedObject?.namespace ?? '',
    'involvedObject.name': ev.involvedObject?.name ?? '',
    'involvedObject.uid': ev.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': ev.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': ev.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': ev.involvedObject?.fieldPath ?? '',
    reason: ev.reason ?? '',
    reportingComponent: ev.reportingComponent ?? '',
    source: ev.source?.component ?? '',
    type: ev.type ?? '',
  }),
};
