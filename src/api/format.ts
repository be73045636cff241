// Small formatters the table printers share, written to print exactly what kubectl users see from a real
// cluster (Kubernetes' k8s.io/apimachinery/pkg/util/duration and pkg/printers/internalversion/printers.go).
import type { Container } from './types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Kubernetes' duration.HumanDuration: about 2–3 significant figures, e.g. `45s`, `3m20s`, `65m`, `5h`,
 * `3d4h`, `400d`, `2y300d`. Slightly negative values (clock skew under 2 s) count as `0s`.
 */
export function formatAge(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Age of a timestamp at `now` (ms since the epoch); `<unknown>` when the timestamp is absent or unparsable. */
export function translateTimestampSince(timestamp: string | null | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return formatAge(now - t);
}

/** labels.FormatLabels: `a=1,b=2` sorted by key, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** Wide-output cells for pod templates: container names and images, comma-separated, in spec order. */
export function layoutContainerCells(containers: Container[] | undefined): { names: string; images: string } {
  const list = containers ?? [];
  return { names: list.map((c) => c.name).join(','), images: list.map((c) => c.image ?? '').join(',') };
}

/** `component, host` (host omitted when empty), as the Source column of events shows it. */
export function formatEventSource(component: string | undefined, host: string | undefined): string {
  const c = component ?? '';
  return host ? `${c}, ${host}` : c;
}
