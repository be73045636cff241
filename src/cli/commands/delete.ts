// `skiff delete KIND NAME… | -f FILE`: DELETE with kubectl's DeleteOptions body (KUBECTL-API.md §13), print
// `pod "x" deleted`, then (--wait, the default) wait until each object is really gone: a GET, then a watch on
// metadata.name until its DELETED event. A status line appears only when the wait passes 2 s on a terminal.
import type { Command } from 'commander';
import type { ResourceDef } from '../../api/resource-def.js';
import type { DeleteOptions, KubeObject } from '../../api/types.js';
import { ApiError } from '../../common/errors.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { CliError, formatError, isTransportError } from '../errors.js';
import { loadManifests } from '../manifests.js';
import { kindPrefix, mustResolve, qualifiedName, refOf, scopeNamespace } from '../resources.js';
import { collect } from './apply.js';

export interface DeleteCliOptions {
  filename: string[];
  gracePeriod?: number;
  force?: boolean;
  cascade: string;
  wait: boolean;
}

interface Target {
  def: ResourceDef;
  namespace: string | undefined;
  name: string;
  source?: string;
}

const STATUS_DELAY_MS = 2000;

export function register(program: Command, host: CommandHost): void {
  program
    .command('delete')
    .description('Delete resources by type and names, or by file')
    .argument('[args...]', 'TYPE NAME… or TYPE/NAME…')
    .option('-f, --filename <path>', 'delete the objects in these manifests (repeatable)', collect, [])
    .option('--grace-period <seconds>', 'seconds given to the object to terminate gracefully', parseInteger)
    .option(
      '--force',
      'with --grace-period=0: remove the object at once, without waiting for its termination',
    )
    .option('--cascade <policy>', 'background, foreground or orphan', 'background')
    .option(
      '--wait [bool]',
      'wait until the objects are gone (--wait=false to return at once)',
      parseBool,
      true,
    )
    .action(async (args: string[], opts: DeleteCliOptions, cmd: Command) => {
      host.exit(await runDelete(host.session(cmd), args, opts));
    });
}

export function parseBool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new CliError(`error: invalid boolean value "${value}" (use true or false)`);
}

export function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CliError(`error: invalid argument "${value}": not an integer`);
  return n;
}

/** The request body kubectl sends for these flags, and whether the deletion is a forced one. */
export function deleteOptions(o: Pick<DeleteCliOptions, 'gracePeriod' | 'force' | 'cascade'>): {
  body: DeleteOptions;
  forced: boolean;
} {
  const policies: Record<string, DeleteOptions['propagationPolicy']> = {
    background: 'Background',
    true: 'Background',
    foreground: 'Foreground',
    orphan: 'Orphan',
    false: 'Orphan',
  };
  const propagationPolicy = policies[o.cascade.toLowerCase()];
  if (!propagationPolicy) {
    throw new CliError(
      `error: invalid cascade value (${o.cascade}). Must be "background", "foreground", or "orphan".`,
    );
  }
  let grace = o.gracePeriod ?? -1;
  // --grace-period=0 without --force is turned into 1, as kubectl does, so nothing is killed by accident.
  if (grace === 0 && !o.force) grace = 1;
  if (o.force && grace < 0) grace = 0;
  const body: DeleteOptions =
    grace >= 0 ? { gracePeriodSeconds: grace, propagationPolicy } : { propagationPolicy };
  return { body, forced: !!o.force && grace === 0 };
}

export async function runDelete(s: Session, args: string[], o: DeleteCliOptions): Promise<number> {
  const { body, forced } = deleteOptions(o);
  const targets = await resolveTargets(s, args, o.filename);
  if (forced) {
    s.ctx.stderr.write(
      'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. ' +
        'The resource may continue to run on the cluster indefinitely.\n',
    );
  }
  let code = 0;
  const pending: { target: Target; uid?: string }[] = [];
  for (const t of targets) {
    try {
      const result = await s.client.delete(refOf(t.def), t.namespace, t.name, body);
      const label = `${kindPrefix(t.def)} "${t.name}"`;
      s.ctx.stdout.write(`${label} ${forced ? 'force deleted' : 'deleted'}\n`);
      if (result && (result as KubeObject).metadata && (result as { kind?: string }).kind !== 'Status') {
        pending.push({ target: t, uid: (result as KubeObject).metadata.uid });
      }
    } catch (err) {
      if (isTransportError(err) || !(err instanceof ApiError)) throw err;
      code = 1;
      const source = t.source ? { verb: 'deleting', source: t.source } : undefined;
      s.ctx.stderr.write(`${formatError(err, s.server, source)}\n`);
    }
  }
  if (o.wait && !forced) {
    for (const p of pending) await waitUntilGone(s, p.target, p.uid);
  }
  return code;
}

async function resolveTargets(s: Session, args: string[], files: string[]): Promise<Target[]> {
  if (files.length > 0) {
    if (args.length > 0)
      throw new CliError('error: there is no need to specify a resource type and names with -f');
    const manifests = await loadManifests(files, s.ctx.stdin, 'delete');
    return manifests.map((m) => {
      const def = s.ctx.catalog.byKind(m.object.apiVersion, m.object.kind);
      if (!def) {
        throw new CliError(
          `error: resource mapping not found for name: "${m.object.metadata.name}" namespace: "${m.object.metadata.namespace ?? ''}" ` +
            `from "${m.source}": no matches for kind "${m.object.kind}" in version "${m.object.apiVersion}"`,
        );
      }
      const namespace = def.namespaced ? m.object.metadata.namespace || s.namespace : undefined;
      return { def, namespace, name: m.object.metadata.name!, source: m.source };
    });
  }
  if (args.length === 0) {
    throw new CliError(
      'error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n' +
        "   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    );
  }
  if (args.some((a) => a.includes('/'))) {
    return args.map((a) => {
      const [type, name] = [a.slice(0, a.indexOf('/')), a.slice(a.indexOf('/') + 1)];
      if (!type || !name)
        throw new CliError(`error: arguments in resource/name form must have a single resource and name`);
      const def = mustResolve(s.ctx.catalog, type);
      return { def, namespace: scopeNamespace(def, s.namespace), name };
    });
  }
  const [type, ...names] = args;
  const defs = type.split(',').map((t) => mustResolve(s.ctx.catalog, t));
  if (names.length === 0) {
    throw new CliError(`error: resource(s) were provided, but no name was specified`);
  }
  return defs.flatMap((def) =>
    names.map((name) => ({ def, namespace: scopeNamespace(def, s.namespace), name })),
  );
}

/** Resolves once the object (this uid) no longer exists: 404 on GET, a DELETED event, or a new uid under the name. */
export async function waitUntilGone(s: Session, t: Target, uid: string | undefined): Promise<void> {
  const ref = refOf(t.def);
  const status = `waiting for ${qualifiedName(t.def)} "${t.name}" to be deleted...`;
  let shown = false;
  const timer = s.ctx.clock.setTimeout(() => {
    if (!s.ctx.stderr.isTTY) return;
    shown = true;
    s.ctx.stderr.write(status);
  }, STATUS_DELAY_MS);
  try {
    for (;;) {
      let live: KubeObject;
      try {
        live = await s.client.get(ref, t.namespace, t.name);
      } catch (err) {
        if (err instanceof ApiError && err.reason === 'NotFound') return;
        throw err;
      }
      if (uid && live.metadata.uid !== uid) return;
      let gone = false;
      const handle = s.client.watch(
        ref,
        t.namespace,
        { resourceVersion: live.metadata.resourceVersion, fieldSelector: `metadata.name=${t.name}` },
        (ev) => {
          const obj = ev.object;
          const sameObject = !uid || obj.metadata?.uid === uid;
          if ((ev.type === 'DELETED' && sameObject) || (ev.type !== 'ERROR' && !sameObject)) {
            gone = true;
            handle.stop();
          } else if (ev.type === 'ERROR') {
            handle.stop(); // e.g. 410 Expired: look again and watch from a fresh version
          }
        },
      );
      await handle.done;
      if (gone) return;
    }
  } finally {
    s.ctx.clock.clearTimeout(timer);
    if (shown) s.ctx.stderr.write('\r\x1b[K');
  }
}
