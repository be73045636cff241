// `skiff apply -f FILE|DIR|-`: client-side apply like kubectl's (KUBECTL-API.md §9.1–9.2). For each object: GET;
// 404 → create it with the last-applied annotation; otherwise send the three-way strategic merge patch (nothing
// when it is empty). Prints `pod/web created|configured|unchanged`; failures are reported per object and make the
// exit code 1 once every object has been tried.
import type { Command } from 'commander';
import type { KubeObject } from '../../api/types.js';
import { ApiError } from '../../common/errors.js';
import { lastApplied, threeWayPatch, withLastApplied } from '../apply-patch.js';
import type { CommandHost } from '../command-host.js';
import type { Session } from '../context.js';
import { CliError, formatError, isTransportError } from '../errors.js';
import { loadManifests, type Manifest } from '../manifests.js';
import { kindPrefix, refOf } from '../resources.js';

const FIELD_MANAGER = 'skiff-client-side-apply';

export function register(program: Command, host: CommandHost): void {
  program
    .command('apply')
    .description('Apply a configuration to resources from files, directories or stdin')
    .option(
      '-f, --filename <path>',
      'a file, a directory of manifests, or - for stdin (repeatable)',
      collect,
      [],
    )
    .action(async (opts: { filename: string[] }, cmd: Command) => {
      host.exit(await runApply(host.session(cmd), opts.filename));
    });
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function runApply(s: Session, files: string[]): Promise<number> {
  const manifests = await loadManifests(files, s.ctx.stdin, 'apply');
  let failed = false;
  for (const m of manifests) {
    try {
      s.ctx.stdout.write(`${await applyOne(s, m)}\n`);
    } catch (err) {
      if (isTransportError(err)) throw err;
      failed = true;
      s.ctx.stderr.write(`${formatError(err, s.server)}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** Applies one object; returns the line to print. Errors carry the file name, as kubectl's do. */
async function applyOne(s: Session, m: Manifest): Promise<string> {
  const obj = structuredClone(m.object);
  const name = obj.metadata.name!;
  const def = s.ctx.catalog.byKind(obj.apiVersion, obj.kind);
  if (!def) {
    throw new CliError(
      `error: resource mapping not found for name: "${name}" namespace: "${obj.metadata.namespace ?? ''}" from ` +
        `"${m.source}": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"\nensure CRDs are installed first`,
    );
  }
  let namespace: string | undefined;
  if (def.namespaced) {
    namespace = obj.metadata.namespace || s.namespace;
    if (s.namespaceExplicit && namespace !== s.namespace) {
      throw new CliError(
        `error: the namespace from the provided object "${namespace}" does not match the namespace ` +
          `"${s.namespace}". You must pass '--namespace=${namespace}' to perform this operation.`,
      );
    }
    obj.metadata.namespace = namespace;
  }
  const ref = refOf(def);
  const label = `${kindPrefix(def)}/${name}`;
  const modified = withLastApplied(obj);
  const withSource = (verb: string) => (err: unknown) => {
    if (err instanceof ApiError && !isTransportError(err)) {
      throw new CliError(formatError(err, s.server, { verb, source: m.source }));
    }
    throw err;
  };

  let live: KubeObject | undefined;
  try {
    live = await s.client.get(ref, namespace, name);
  } catch (err) {
    if (!(err instanceof ApiError && err.reason === 'NotFound'))
      withSource('retrieving current configuration of')(err);
  }
  if (!live) {
    await s.client
      .create(ref, namespace, modified, { fieldManager: FIELD_MANAGER })
      .catch(withSource('creating'));
    return `${label} created`;
  }
  const patch = threeWayPatch(lastApplied(live), modified, live);
  if (Object.keys(patch).length === 0) return `${label} unchanged`;
  const updated = await s.client
    .patch(ref, namespace, name, 'strategic', patch, { fieldManager: FIELD_MANAGER })
    .catch(withSource('patching'));
  const moved = updated?.metadata?.resourceVersion !== live.metadata.resourceVersion;
  return `${label} ${moved ? 'configured' : 'unchanged'}`;
}
