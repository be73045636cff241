// What the CLI prints for a failure, in kubectl's words (KUBECTL-API.md §12, kubectl's cmdutil.CheckErr):
// `Error from server (NotFound): pods "x" not found`, Invalid rebuilt from the Status causes, the
// connection-refused hint, and `error: …` for client-side failures.
import { ApiError } from '../common/errors.js';

/** A failure detected by the CLI itself; `message` is printed as is (usually `error: …`). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Where an object came from, for apply/delete -f: `error when creating "app.yaml": …`. */
export interface ErrorSource {
  verb: string;
  source: string;
}

/** The line(s) kubectl prints for `err` (no trailing newline). `server` names the host in connection errors. */
export function formatError(err: unknown, server?: string, source?: ErrorSource): string {
  if (err instanceof CliError) return err.message;
  if (err instanceof ApiError) {
    const transport = transportCause(err);
    if (transport !== undefined) return formatTransportError(transport, server);
    return formatApiError(err, source);
  }
  if (hasCode(err, 'ECONNREFUSED')) return formatTransportError(err, server);
  const msg = err instanceof Error ? err.message : String(err);
  return `error: ${msg}`;
}

/** An ApiError carrying the server's Status. */
export function formatApiError(err: ApiError, source?: ErrorSource): string {
  if (err.reason === 'Unauthorized') return `error: You must be logged in to the server (${err.message})`;
  const message = err.reason === 'Invalid' ? invalidMessage(err) : err.message;
  const where = source ? `error when ${source.verb} "${source.source}": ` : '';
  if (err.reason === 'Invalid' && !source) return message;
  return `Error from server (${err.reason}): ${where}${message}`;
}

/**
 * kubectl rebuilds 422 messages from the details: `The Pod "x" is invalid: spec.containers[0].image: Required
 * value`, or with several causes one `* field: message` line each.
 */
export function invalidMessage(err: ApiError): string {
  const d = err.details;
  if (!d || (!d.kind && !d.name)) return err.message;
  const head = `The ${d.kind ?? ''} "${d.name ?? ''}" is invalid`;
  const causes = (d.causes ?? []).map((c) =>
    c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? ''),
  );
  if (causes.length === 0) return head;
  if (causes.length === 1) return `${head}: ${causes[0]}`;
  return `${head}: \n${causes.map((c) => `* ${c}`).join('\n')}`;
}

function formatTransportError(cause: unknown, server?: string): string {
  if (hasCode(cause, 'ECONNREFUSED')) {
    return `The connection to the server ${hostOf(server)} was refused - did you specify the right host or port? (is 'skiff master' running?)`;
  }
  const msg = cause instanceof Error ? cause.message : String(cause);
  return `Unable to connect to the server: ${msg}`;
}

/** True when no answer came back from the server (refused, reset, timed out): retrying other objects is futile. */
export function isTransportError(err: unknown): boolean {
  if (err instanceof ApiError) return transportCause(err) !== undefined;
  return hasCode(err, 'ECONNREFUSED');
}

/** The low-level error under an ApiError made by the HTTP client when no answer came back. */
function transportCause(err: ApiError): unknown {
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause !== undefined && !(cause instanceof ApiError) ? cause : undefined;
}

/** Node puts the errno code on the error, on an AggregateError's members (happy eyeballs), or on `cause`. */
function hasCode(err: unknown, code: string): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (e.code === code) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => hasCode(x, code))) return true;
  return e.cause !== undefined && e.cause !== err && hasCode(e.cause, code);
}

function hostOf(server: string | undefined): string {
  if (!server) return 'the server';
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}
