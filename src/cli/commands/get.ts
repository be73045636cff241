// `skiff get KIND[,KIND…] [NAME…]`: Tables from the server printed like kubectl (KUBECTL-API.md §5, §13);
// -o yaml|json|name print the objects themselves; -w prints a row per watch event until Ctrl-C.
import type { Command } from 'commander';
import type { ResourceDef } from '../../api/resource-def.js';
import type { KubeObject, Status, Table } from '../../api/types.js';
import { ApiError, fromStatus } from '../../common/errors.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { CliError, formatError } from '../errors.js';
import { formatObjects, nameLine, withTypeMeta } from '../output.js';
import {
  formatLines,
  noResourcesMessage,
  StreamingTablePrinter,
  tableCells,
  tableRowCells,
  type TableOptions,
} from '../print-table.js';
import { allCategory, kindPrefix, mustResolve, refOf, scopeNamespace } from '../resources.js';
import { fetchTable, rowOf } from '../tables.js';

export interface GetOptions {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  watch?: boolean;
  showLabels?: boolean;
}

/** One resource type to fetch: a list (names undefined) or the named objects. */
export interface GetRequest {
  def: ResourceDef;
  names?: string[];
}

const FORMATS = ['', 'wide', 'yaml', 'json', 'name'];

export function register(program: Command, host: CommandHost): void {
  program
    .command('get')
    .description('Display one or many resources')
    .argument('<types>', 'resource type(s), comma-separated (e.g. pods, po,svc, all), or TYPE/NAME')
    .argument('[names...]', 'names of the objects')
    .option('-o, --output <format>', 'output format: wide, yaml, json or name')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db')
    .option('--field-selector <selector>', 'field selector, e.g. status.phase=Running')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-w, --watch', 'after listing, watch for changes')
    .option('--show-labels', 'show all labels as the last column')
    .action(async (types: string, names: string[], opts: GetOptions, cmd: Command) => {
      host.exit(await runGet(host.session(cmd), [types, ...names], opts));
    });
}

/** Turns `po,svc x` / `pod/x deploy/y` / `all` into requests; `showKind` when several types are involved. */
export function parseGetArgs(
  session: Pick<Session, 'ctx'>,
  args: string[],
): { requests: GetRequest[]; showKind: boolean } {
  const catalog = session.ctx.catalog;
  if (args.some((a) => a.includes('/'))) {
    const requests: GetRequest[] = [];
    for (const arg of args) {
      const slash = arg.indexOf('/');
      if (slash <= 0 || slash === arg.length - 1) {
        throw new CliError(
          `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'skiff get resource/<resource_name>' instead of 'skiff get resource resource/<resource_name>'`,
        );
      }
      const def = mustResolve(catalog, arg.slice(0, slash));
      const existing = requests.find((r) => r.def === def);
      if (existing) existing.names!.push(arg.slice(slash + 1));
      else requests.push({ def, names: [arg.slice(slash + 1)] });
    }
    return { requests, showKind: requests.length > 1 };
  }
  const [types, ...names] = args;
  const words = types.split(',').filter((w) => w !== '');
  const defs: ResourceDef[] = [];
  for (const word of words) {
    for (const def of word.toLowerCase() === 'all' ? allCategory(catalog) : [mustResolve(catalog, word)]) {
      if (!defs.includes(def)) defs.push(def);
    }
  }
  const requests = defs.map((def) => ({ def, names: names.length > 0 ? [...names] : undefined }));
  return { requests, showKind: words.some((w) => w.toLowerCase() === 'all') || defs.length > 1 };
}

export async function runGet(s: Session, args: string[], o: GetOptions): Promise<number> {
  const format = o.output ?? '';
  if (!FORMATS.includes(format)) {
    throw new CliError(
      `error: unable to match a printer suitable for the output format "${format}", allowed formats are: json,name,wide,yaml`,
    );
  }
  const { requests, showKind } = parseGetArgs(s, args);
  if (o.allNamespaces && requests.some((r) => r.names)) {
    throw new CliError('error: a resource cannot be retrieved by name across all namespaces');
  }
  if (o.watch) {
    if (requests.length !== 1) throw new CliError('error: you may only specify a single resource type');
    if (format === 'yaml' || format === 'json' || format === 'name') {
      throw new CliError(`error: --watch is supported only with table output, not -o ${format}`);
    }
    return watchTable(s, requests[0], o);
  }
  if (format === 'yaml' || format === 'json' || format === 'name')
    return printObjects(s, requests, o, format);
  return printTables(s, requests, o, showKind);
}

async function printTables(
  s: Session,
  requests: GetRequest[],
  o: GetOptions,
  showKind: boolean,
): Promise<number> {
  let code = 0;
  let printedTables = 0;
  for (const { def, names } of requests) {
    const table = await collectTable(s, def, names, o, (err) => {
      s.ctx.stderr.write(formatError(err, s.server) + '\n');
      code = 1;
    });
    if (!table || table.rows.length === 0) continue;
    const opts = tableOptions(def, o, showKind);
    s.ctx.stdout.write((printedTables > 0 ? '\n' : '') + formatLines(tableCells(table, opts)));
    printedTables++;
  }
  if (printedTables === 0 && code === 0) s.ctx.stderr.write(emptyMessage(s, requests, o) + '\n');
  return code;
}

/** The list's Table, or the named objects' rows in one Table; a missing name is reported and skipped. */
async function collectTable(
  s: Session,
  def: ResourceDef,
  names: string[] | undefined,
  o: GetOptions,
  onError: (err: unknown) => void,
): Promise<Table | undefined> {
  const namespace = scopeNamespace(def, s.namespace, o.allNamespaces);
  const now = s.ctx.clock.now();
  if (!names) {
    return fetchTable(
      s.client,
      def,
      { namespace, labelSelector: o.selector, fieldSelector: o.fieldSelector },
      now,
    );
  }
  let table: Table | undefined;
  for (const name of names) {
    try {
      const one = await fetchTable(s.client, def, { namespace, name }, now);
      if (!table) table = one;
      else table.rows.push(...one.rows);
    } catch (err) {
      if (!(err instanceof ApiError) || err.reason !== 'NotFound') throw err;
      onError(err);
    }
  }
  return table;
}

async function printObjects(
  s: Session,
  requests: GetRequest[],
  o: GetOptions,
  format: 'yaml' | 'json' | 'name',
): Promise<number> {
  let code = 0;
  const found: { def: ResourceDef; obj: KubeObject }[] = [];
  for (const { def, names } of requests) {
    const namespace = scopeNamespace(def, s.namespace, o.allNamespaces);
    if (!names) {
      const list = await s.client.list(refOf(def), namespace, {
        labelSelector: o.selector,
        fieldSelector: o.fieldSelector,
      });
      for (const item of list.items ?? []) found.push({ def, obj: withTypeMeta(def, item) });
      continue;
    }
    for (const name of names) {
      try {
        found.push({ def, obj: withTypeMeta(def, await s.client.get(refOf(def), namespace, name)) });
      } catch (err) {
        if (!(err instanceof ApiError) || err.reason !== 'NotFound') throw err;
        s.ctx.stderr.write(formatError(err, s.server) + '\n');
        code = 1;
      }
    }
  }
  if (format === 'name') {
    for (const { def, obj } of found) s.ctx.stdout.write(nameLine(def, obj.metadata.name ?? '') + '\n');
    return code;
  }
  const single = requests.length === 1 && requests[0].names?.length === 1;
  if (single && found.length === 0) return code;
  s.ctx.stdout.write(
    formatObjects(
      format,
      found.map((f) => f.obj),
      single,
    ),
  );
  return code;
}

async function watchTable(s: Session, req: GetRequest, o: GetOptions): Promise<number> {
  const { def, names } = req;
  const opts = tableOptions(def, o, false);
  const printer = new StreamingTablePrinter();
  let code = 0;
  const table = await collectTable(s, def, names, o, (err) => {
    s.ctx.stderr.write(formatError(err, s.server) + '\n');
    code = 1;
  });
  const columns = table?.columnDefinitions ?? def.columns;
  let headerPrinted = false;
  const print = (lines: string[][]) => {
    const header = headerPrinted ? [] : tableCells({ columnDefinitions: columns, rows: [] }, opts);
    headerPrinted = true;
    s.ctx.stdout.write(printer.print([...header, ...lines]));
  };
  if (table && table.rows.length > 0)
    print(tableCells({ ...table, rows: table.rows }, { ...opts, noHeaders: true }));
  else if (!names) s.ctx.stderr.write(emptyMessage(s, [req], o) + '\n');

  // A named watch starts from the current state (resourceVersion 0): its first event repeats what was printed.
  const printedVersions = new Set(
    (table?.rows ?? []).map((r) => (r.object as KubeObject | undefined)?.metadata?.resourceVersion),
  );
  const one = names?.length === 1 ? names[0] : undefined;
  const fieldSelector = [o.fieldSelector, one ? `metadata.name=${one}` : undefined].filter(Boolean).join(',');
  let failure: unknown;
  const handle = s.client.watch(
    refOf(def),
    scopeNamespace(def, s.namespace, o.allNamespaces),
    {
      resourceVersion: names ? '0' : (table?.metadata?.resourceVersion ?? '0'),
      labelSelector: o.selector,
      fieldSelector: fieldSelector || undefined,
    },
    (ev) => {
      if (ev.type === 'BOOKMARK') return;
      if (ev.type === 'ERROR') {
        failure = fromStatus(ev.object as unknown as Status, (ev.object as unknown as Status).code ?? 500);
        handle.stop();
        return;
      }
      const obj = ev.object;
      if (names && !names.includes(obj.metadata?.name ?? '')) return;
      const rv = obj.metadata?.resourceVersion;
      if (ev.type === 'ADDED' && names && printedVersions.has(rv)) return;
      printedVersions.clear();
      print([tableRowCells(columns, rowOf(def, obj, s.ctx.clock.now()), opts)]);
    },
  );
  await handle.done;
  if (failure) throw failure;
  return code;
}

function tableOptions(def: ResourceDef, o: GetOptions, showKind: boolean): TableOptions {
  return {
    wide: o.output === 'wide',
    withNamespace: !!o.allNamespaces && def.namespaced,
    showLabels: !!o.showLabels,
    kindPrefix: showKind ? kindPrefix(def) : undefined,
  };
}

function emptyMessage(s: Session, requests: GetRequest[], o: GetOptions): string {
  const namespaced = !o.allNamespaces && requests.every((r) => r.def.namespaced);
  return noResourcesMessage(namespaced ? s.namespace : undefined);
}
