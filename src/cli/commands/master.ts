// `skiff master`: run the control plane (API server, store, scheduler, controllers) until SIGINT/SIGTERM, then stop
// it cleanly and exit 0. A second Ctrl-C while stopping exits at once.
import type { Command } from 'commander';
import { DEFAULT_SERVICE_CIDR } from '../../apiserver/ip-allocator.js';
import { DEFAULT_NODE_PORT_RANGE } from '../../apiserver/port-allocator.js';
import { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_MASK_SIZE } from '../../controllers/nodeipam/cidr-allocator.js';
import type { CommandHost } from '../command-host.js';
import { parseInteger } from './delete.js';
import { waitForInterrupt } from './agent.js';

interface MasterFlags {
  listen: string;
  dataDir: string;
  serviceCidr: string;
  serviceNodePortRange: string;
  clusterCidr: string;
  nodeCidrMaskSize: number;
  advertiseAddress?: string;
  logLevel?: string;
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('master')
    .description('Run the master: API server, store, scheduler and controllers')
    .option('--listen <host:port>', 'address the API server listens on', '127.0.0.1:6443')
    .option('--data-dir <dir>', 'where the store keeps its data', '/var/lib/skiff/master')
    .option('--service-cidr <cidr>', 'the range Service ClusterIPs come from', DEFAULT_SERVICE_CIDR)
    .option('--service-node-port-range <range>', 'the range NodePorts come from', DEFAULT_NODE_PORT_RANGE)
    .option('--cluster-cidr <cidr>', 'the pod range nodes get their podCIDRs from', DEFAULT_CLUSTER_CIDR)
    .option(
      '--node-cidr-mask-size <bits>',
      'prefix length of each node’s podCIDR',
      parseInteger,
      DEFAULT_NODE_MASK_SIZE,
    )
    .option(
      '--advertise-address <ip>',
      'where pods reach the API server (the kubernetes Service); default: the listen host, or the first non-loopback IPv4',
    )
    .option('--log-level <level>', 'debug, info, warn or error ($SKIFF_LOG_LEVEL)')
    .action(async (opts: MasterFlags) => {
      const { ctx } = host;
      const logger = ctx.createLogger(opts.logLevel);
      const master = await ctx.daemons.startMaster({
        listen: opts.listen,
        dataDir: opts.dataDir,
        serviceCIDR: opts.serviceCidr,
        serviceNodePortRange: opts.serviceNodePortRange,
        clusterCIDR: opts.clusterCidr,
        nodeCIDRMaskSize: opts.nodeCidrMaskSize,
        advertiseAddress: opts.advertiseAddress,
        logger,
      });
      await waitForInterrupt(ctx);
      logger.info('stopping the master');
      await master.stop();
      host.exit(0);
    });
}
