// `skiff master`: run the control plane (API server, store, scheduler, controllers) until SIGINT/SIGTERM, then stop
// it cleanly and exit 0. A second Ctrl-C while stopping exits at once.
import type { Command } from 'commander';
import type { CommandHost } from '../command-host.js';
import { waitForInterrupt } from './agent.js';

export function register(program: Command, host: CommandHost): void {
  program
    .command('master')
    .description('Run the master: API server, store, scheduler and controllers')
    .option('--listen <host:port>', 'address the API server listens on', '127.0.0.1:6443')
    .option('--data-dir <dir>', 'where the store keeps its data', '/var/lib/skiff/master')
    .option('--log-level <level>', 'debug, info, warn or error ($SKIFF_LOG_LEVEL)')
    .action(async (opts: { listen: string; dataDir: string; logLevel?: string }) => {
      const { ctx } = host;
      const logger = ctx.createLogger(opts.logLevel);
      const master = await ctx.daemons.startMaster({ listen: opts.listen, dataDir: opts.dataDir, logger });
      await waitForInterrupt(ctx);
      logger.info('stopping the master');
      await master.stop();
      host.exit(0);
    });
}
