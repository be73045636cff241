// `skiff kubeconfig`: print a kubeconfig so stock kubectl can talk to this skiff master.
import type { Command } from 'commander';
import type { CommandHost } from '../command-host.js';
import { renderKubeconfig } from '../kubeconfig.js';

export function register(program: Command, host: CommandHost): void {
  program
    .command('kubeconfig')
    .description('Print a kubeconfig for kubectl (e.g. skiff kubeconfig > ~/.kube/config)')
    .option('--master <url>', 'the API server URL (default: --server)')
    .option('--name <name>', 'name of the cluster, user and context', 'skiff')
    .action((opts: { master?: string; name: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<{ server: string; token?: string; namespace: string }>();
      host.ctx.stdout.write(
        renderKubeconfig({
          server: opts.master ?? g.server,
          name: opts.name,
          namespace: g.namespace,
          token: g.token,
        }),
      );
      host.exit(0);
    });
}
