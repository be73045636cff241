// `skiff cordon NODE…` / `skiff uncordon NODE…`: mark nodes (un)schedulable as kubectl does (KUBECTL-API.md §9.4):
// GET each node, then, only when it changes, a strategic merge patch `{"spec":{"unschedulable":true}}` (uncordon
// sends `null`, which drops the field, like kubectl's two-way patch). Prints `node/x cordoned`,
// `node/x already cordoned`, `node/x uncordoned`. The scheduler's NodeUnschedulable filter keeps new pods away
// from a cordoned node; DaemonSet pods tolerate it. `skiff drain` cordons through the same code.
import type { Command } from 'commander';
import type { Node } from '../../api/types.js';
import { NODES } from '../../client/api-client.js';
import { ApiError } from '../../common/errors.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { formatError, isTransportError } from '../errors.js';

export function register(program: Command, host: CommandHost): void {
  for (const desired of [true, false]) {
    const verb = desired ? 'cordon' : 'uncordon';
    program
      .command(verb)
      .description(desired ? 'Mark nodes as unschedulable' : 'Mark nodes as schedulable')
      .argument('<nodes...>', 'node names (node/NAME is accepted too)')
      .action(async (names: string[], _o: unknown, cmd: Command) => {
        const s = host.session(cmd);
        const nodes = await getNodes(s, names);
        host.exit(nodes ? await cordonNodes(s, nodes, desired) : 1);
      });
  }
}

/** `node/x` and `nodes/x` name a node as well as `x` does. */
export function nodeName(arg: string): string {
  const m = /^(?:no|node|nodes)\/(.+)$/.exec(arg);
  return m ? m[1] : arg;
}

/** True when the node must be patched to reach `desired` (kubectl's CordonHelper.UpdateIfRequired). */
export function cordonRequired(node: Node, desired: boolean): boolean {
  return (node.spec?.unschedulable ?? false) !== desired;
}

/** The strategic merge patch kubectl sends. */
export function cordonPatch(desired: boolean): { spec: { unschedulable: true | null } } {
  return { spec: { unschedulable: desired ? true : null } };
}

/**
 * Reads every named node first, as kubectl's resource builder does: one missing node is reported
 * (`Error from server (NotFound): nodes "x" not found`) and nothing is changed (undefined).
 */
export async function getNodes(s: Session, names: string[]): Promise<Node[] | undefined> {
  const nodes: Node[] = [];
  for (const name of names.map(nodeName)) {
    try {
      nodes.push(await s.client.get<Node>(NODES, undefined, name));
    } catch (err) {
      if (isTransportError(err) || !(err instanceof ApiError)) throw err;
      s.ctx.stderr.write(`${formatError(err, s.server)}\n`);
      return undefined;
    }
  }
  return nodes;
}

/** Cordons (desired=true) or uncordons each node, printing kubectl's lines; 1 when a patch failed. */
export async function cordonNodes(s: Session, nodes: Node[], desired: boolean): Promise<number> {
  const verb = desired ? 'cordon' : 'uncordon';
  let code = 0;
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    if (!cordonRequired(node, desired)) {
      s.ctx.stdout.write(`node/${name} already ${verb}ed\n`);
      continue;
    }
    try {
      await s.client.patch(NODES, undefined, name, 'strategic', cordonPatch(desired));
      s.ctx.stdout.write(`node/${name} ${verb}ed\n`);
    } catch (err) {
      if (isTransportError(err) || !(err instanceof ApiError)) throw err;
      s.ctx.stderr.write(`error: unable to ${verb} node "${name}": ${err.message}\n`);
      code = 1;
    }
  }
  return code;
}
