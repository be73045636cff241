// `skiff api-resources`: the resource types skiff serves, from the same catalog the other commands resolve with.
import type { Command } from 'commander';
import { apiVersionOf, type ResourceDef } from '../../api/resource-def.js';
import type { CommandHost } from '../command-host.js';
import { formatLines } from '../print-table.js';

export function register(program: Command, host: CommandHost): void {
  program
    .command('api-resources')
    .description('List the resource types: names, short names, API version, scope and kind')
    .action(() => {
      host.ctx.stdout.write(apiResourcesText(host.ctx.catalog.all()));
      host.exit(0);
    });
}

/** kubectl's api-resources table, core group first, then by group and name. */
export function apiResourcesText(defs: ResourceDef[]): string {
  const sorted = [...defs].sort((a, b) =>
    a.group === b.group ? a.resource.localeCompare(b.resource) : a.group.localeCompare(b.group),
  );
  const rows = sorted.map((d) => [
    d.resource,
    d.shortNames.join(','),
    apiVersionOf(d),
    String(d.namespaced),
    d.kind,
  ]);
  return formatLines([['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'], ...rows]);
}
