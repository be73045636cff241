// Warnings for the client (fieldValidation=Warn, Pod Security on workloads) as upstream sends them:
// `Warning: 299 - "text"` response headers, which kubectl prints as `Warning: text` on stderr. A request's
// warnings collect in res.locals and are written with its answer, success or error (error-handler.ts).
// Upstream's limits apply: duplicates are sent once, and past 4096 characters in all each warning is cut to 256
// characters and the ones that still do not fit are dropped.
import type { Response } from 'express';

const MAX_TOTAL = 4096;
const MAX_ITEM = 256;

/** The request's warning list (created on first use). */
export function requestWarnings(res: Response): string[] {
  const locals = res.locals as { warnings?: string[] };
  locals.warnings ??= [];
  return locals.warnings;
}

/** A warn-text as an HTTP quoted-string; non-ASCII goes out as UTF-8 bytes, controls become spaces. */
function quoted(text: string): string {
  const printable = [...text].map((c) => (c < ' ' || c === '\u007f' ? ' ' : c)).join('');
  const escaped = printable.replace(/["\\]/g, (c) => `\\${c}`);
  return `"${Buffer.from(escaped, 'utf8').toString('latin1')}"`;
}

/** Header values for a list of warnings, deduplicated and within upstream's size limits. */
export function warningHeaderValues(warnings: readonly string[]): string[] {
  let items = [...new Set(warnings)];
  const total = (list: string[]) => list.reduce((n, w) => n + w.length, 0);
  if (total(items) > MAX_TOTAL) {
    items = items.map((w) => (w.length > MAX_ITEM ? `${w.slice(0, MAX_ITEM - 3)}...` : w));
    const kept: string[] = [];
    let size = 0;
    for (const w of items) {
      if (size + w.length > MAX_TOTAL) break;
      kept.push(w);
      size += w.length;
    }
    items = kept;
  }
  return items.map((w) => `299 - ${quoted(w)}`);
}

/** Writes the request's warnings as headers (before the body is sent). */
export function sendWarnings(res: Response): void {
  const warnings = (res.locals as { warnings?: string[] }).warnings;
  if (!warnings || warnings.length === 0 || res.headersSent) return;
  res.setHeader('Warning', warningHeaderValues(warnings));
}
