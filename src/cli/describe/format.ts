// Shared pieces of `skiff describe`, ported from kubectl's describe package (k8s.io/kubectl/pkg/describe):
// a prefix writer whose output goes through Go's tabwriter (minwidth 0, padding 2), multi-line label,
// annotation, taint and toleration blocks, RFC 1123 times, and the Events table.
import type { Event, Taint, Toleration } from '../../api/types.js';
import { translateTimestampSince } from '../../api/format.js';
import { DESCRIBE_LAYOUT, tabwrite } from '../tabwriter.js';

/** kubectl's PrefixWriter: each write starts with two spaces per level; cells are separated by '\t'. */
export class DescribeWriter {
  private text = '';

  write(level: number, s: string): void {
    this.text += '  '.repeat(level) + s;
  }

  /** The aligned text. */
  toString(): string {
    return tabwrite(this.text, DESCRIBE_LAYOUT);
  }
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_ANNOTATION_LEN = 140;

/** `Labels:   a=1` with further labels on aligned continuation lines, or `<none>`. */
export function writeLabels(
  w: DescribeWriter,
  title: string,
  labels: Record<string, string> | undefined,
): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => w.write(0, `${i === 0 ? '' : '\t'}${k}=${labels![k]}\n`));
}

/** Like labels but `key: value`, skipping the last-applied annotation and folding long or multi-line values. */
export function writeAnnotations(
  w: DescribeWriter,
  title: string,
  annotations: Record<string, string> | undefined,
): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => k !== LAST_APPLIED)
    .sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, '\t');
    const value = annotations![k].replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const s of value.split('\n')) w.write(0, `\t  ${shorten(s, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(0, `${k}: ${value}\n`);
    }
  });
}

export function writeTaints(w: DescribeWriter, title: string, taints: Taint[] | undefined): void {
  w.write(0, `${title}:\t`);
  const list = [...(taints ?? [])].sort((a, b) => cmp(`${a.effect},${a.key}`, `${b.effect},${b.key}`));
  if (list.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  list.forEach((t, i) => w.write(0, `${i === 0 ? '' : '\t'}${taintString(t)}\n`));
}

export function taintString(t: Taint): string {
  return t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`;
}

export function writeTolerations(
  w: DescribeWriter,
  title: string,
  tolerations: Toleration[] | undefined,
): void {
  w.write(0, `${title}:\t`);
  const list = [...(tolerations ?? [])].sort((a, b) => cmp(a.key ?? '', b.key ?? ''));
  if (list.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  list.forEach((t, i) => {
    let s = i === 0 ? '' : '\t';
    s += t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

/** The Events table (oldest first), or `Events: <none>`. Ages are relative to `now`. */
export function writeEvents(w: DescribeWriter, events: Event[] | undefined, now: number): void {
  if (events === undefined) return;
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  const sorted = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = e.eventTime
      ? translateTimestampSince(e.eventTime, now)
      : translateTimestampSince(e.firstTimestamp, now);
    const series = e.series as { count?: number; lastObservedTime?: string } | undefined;
    let age = first;
    if (series?.count)
      age = `${translateTimestampSince(series.lastObservedTime, now)} (x${series.count} over ${first})`;
    else if ((e.count ?? 0) > 1)
      age = `${translateTimestampSince(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    const from =
      e.source?.component || (e.reportingController as string | undefined) || e.reportingComponent || '';
    w.write(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${age}\t${from}\t${(e.message ?? '').trim()}\n`);
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC: `Mon, 30 Nov 2026 04:45:59 +0000`; Go's zero time when absent, as kubectl shows it. */
export function rfc1123z(timestamp: string | null | undefined): string {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(t)) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
  );
}

/** `ReplicaSet/web-5d7b` for the controller owner reference, or ''. */
export function controlledBy(meta: {
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}) {
  const ref = meta.ownerReferences?.find((r) => r.controller);
  return ref ? `${ref.kind}/${ref.name}` : '';
}

export function orNone(s: string | undefined | null): string {
  return s ? s : '<none>';
}

function eventTime(e: Event): number {
  const t = Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
