// The objects `rollout` and `scale` act on, written as kubectl takes them: `TYPE NAME…` or `TYPE/NAME…`
// (`deployment/web`, `deploy web`, `deployments.apps web`), resolved through the resource catalog.
import type { ResourceDef } from '../../api/resource-def.js';
import type { Session } from '../context.js';
import { CliError } from '../errors.js';
import { kindPrefix, mustResolve, qualifiedName, scopeNamespace } from '../resources.js';

export interface Target {
  def: ResourceDef;
  namespace: string | undefined;
  name: string;
}

export function resolveTargets(s: Session, args: string[]): Target[] {
  if (args.length === 0) {
    throw new CliError('error: required resource not specified');
  }
  if (args.some((a) => a.includes('/'))) {
    return args.map((a) => {
      const i = a.indexOf('/');
      const type = a.slice(0, i);
      const name = a.slice(i + 1);
      if (!type || !name || name.includes('/')) {
        throw new CliError('error: arguments in resource/name form must have a single resource and name');
      }
      const def = mustResolve(s.ctx.catalog, type);
      return { def, namespace: scopeNamespace(def, s.namespace), name };
    });
  }
  const [type, ...names] = args;
  const def = mustResolve(s.ctx.catalog, type);
  if (names.length === 0) throw new CliError('error: resource(s) were provided, but no name was specified');
  return names.map((name) => ({ def, namespace: scopeNamespace(def, s.namespace), name }));
}

/** `deployment.apps/web`: how kubectl names the object in its output lines. */
export function targetLabel(t: Target): string {
  return `${kindPrefix(t.def)}/${t.name}`;
}

/** `deployments.apps "web"`: how kubectl names the object in error messages. */
export function targetQuoted(t: Target): string {
  return `${qualifiedName(t.def)} "${t.name}"`;
}

/** `group/Kind`, the key of per-kind behaviour tables. */
export function groupKind(def: { group: string; kind: string }): string {
  return `${def.group}/${def.kind}`;
}
