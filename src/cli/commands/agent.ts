// `skiff agent`: run the node daemon (kubelet, proxy, DNS) against a master until SIGINT/SIGTERM. Stopping leaves
// the pods' containers running; the next agent start adopts them. The first start joins the cluster like
// `kubeadm join`: --token <join token> [--ca-cert-hash sha256:…] (see agent/join.ts); later starts need neither.
import type { Command } from 'commander';
import type { CommandHost } from '../command-host.js';
import { DEFAULT_SERVER } from '../client-config.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { collect } from './apply.js';
import { parseInteger } from './delete.js';

export interface AgentCliOptions {
  master?: string;
  nodeName?: string;
  nodeIp?: string;
  port: number;
  dockerSocket?: string;
  dataDir: string;
  podNetwork?: string;
  pauseImage?: string;
  clusterDns: string[];
  clusterCidr?: string;
  serviceCidr?: string;
  proxy: boolean;
  nodeportAddresses: string[];
  cleanup?: boolean;
  logLevel?: string;
  caCertHash?: string;
  caFile?: string;
}

function caCertHashFlag(value: string): string {
  const v = value.trim().toLowerCase();
  if (!/^sha256:[0-9a-f]{64}$/.test(v)) {
    throw new CliError(
      `error: invalid argument "${value}" for "--ca-cert-hash" flag: want sha256:<64 hex digits>`,
    );
  }
  return v;
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('agent')
    .description('Run a node agent: kubelet (pods as Docker containers), service proxy and cluster DNS')
    .option('--master <url>', 'the master API server URL, https://IP:6443 (default: --server)')
    .option(
      '--ca-cert-hash <sha256:hex>',
      'pin the cluster CA when joining: sha256 of its public key (printed by skiff token create --join --print-join-command)',
      caCertHashFlag,
    )
    .option(
      '--ca-file <file>',
      'the cluster CA certificate (PEM), instead of discovering it (default: --certificate-authority)',
    )
    .option('--node-name <name>', 'name of this node (default: the hostname)')
    .option('--node-ip <ip>', 'the IP other nodes reach this one at (default: detected)')
    .option('--port <port>', 'port of the agent API (logs, exec)', parseInteger, 10250)
    .option('--docker-socket <path>', 'Docker engine socket (default /var/run/docker.sock)')
    .option('--data-dir <dir>', 'where the agent keeps its state', '/var/lib/skiff/agent')
    .option(
      '--pod-network <name>',
      'use this existing Docker network for pods as it is (default: manage the `skiff` pod network on the podCIDR)',
    )
    .option('--pause-image <image>', 'image of the pods’ infra (pause) container')
    .option('--cluster-dns <ip>', 'DNS server for pods (repeatable or comma-separated)', collect, [])
    .option('--cluster-cidr <cidr>', 'the cluster pod range (default 10.244.0.0/16)')
    .option('--service-cidr <cidr>', 'the service range (default 10.96.0.0/12)')
    .option('--no-proxy', 'do not run the service proxy (no iptables rules for Services)')
    .option(
      '--nodeport-addresses <ip>',
      'addresses NodePorts answer on (repeatable; default every local address)',
      collect,
      [],
    )
    .option('--cleanup', 'remove every iptables rule and route the agent created on this node, then exit')
    .option('--log-level <level>', 'debug, info, warn or error ($SKIFF_LOG_LEVEL)')
    .action(async (opts: AgentCliOptions, cmd: Command) => {
      const { ctx } = host;
      const g = cmd.optsWithGlobals<{ server?: string; token?: string; certificateAuthority?: string }>();
      const logger = ctx.createLogger(opts.logLevel);
      if (opts.cleanup) {
        await ctx.daemons.cleanupAgent({
          clusterCIDR: opts.clusterCidr,
          serviceCIDR: opts.serviceCidr,
          dockerSocket: opts.dockerSocket,
          logger,
        });
        ctx.stdout.write('skiff agent: iptables rules and routes removed\n');
        host.exit(0);
        return;
      }
      const clusterDNS = opts.clusterDns.flatMap((v) => v.split(',')).filter((v) => v !== '');
      const caFile = opts.caFile ?? g.certificateAuthority;
      const ca = caFile === undefined ? undefined : ctx.readFile(caFile);
      if (caFile !== undefined && ca === undefined)
        throw new CliError(`error: unable to read --ca-file ${caFile}`);
      const agent = await ctx.daemons.runAgent({
        masterUrl: opts.master ?? g.server ?? ctx.env.SKIFF_SERVER ?? DEFAULT_SERVER,
        nodeName: opts.nodeName ?? ctx.hostname(),
        nodeIP: opts.nodeIp,
        port: opts.port,
        dockerSocket: opts.dockerSocket,
        dataDir: opts.dataDir,
        podNetwork: opts.podNetwork,
        pauseImage: opts.pauseImage,
        clusterDNS: clusterDNS.length > 0 ? clusterDNS : undefined,
        clusterCIDR: opts.clusterCidr,
        serviceCIDR: opts.serviceCidr,
        proxy: opts.proxy,
        nodePortAddresses: opts.nodeportAddresses.length > 0 ? opts.nodeportAddresses : undefined,
        // The join token (or a credential) only from the command line or $SKIFF_TOKEN, never from a kubeconfig.
        token: g.token ?? (ctx.env.SKIFF_TOKEN || undefined),
        ...(opts.caCertHash ? { caCertHash: opts.caCertHash } : {}),
        ...(ca !== undefined ? { ca } : {}),
        logger,
      });
      await waitForInterrupt(ctx);
      logger.info('stopping the agent (pods keep running)');
      await agent.stop();
      host.exit(0);
    });
}

/** Resolves on the first SIGINT/SIGTERM; the handler is removed, so a second one ends the process at once. */
export function waitForInterrupt(ctx: CliContext): Promise<void> {
  return new Promise((resolve) => {
    const off = ctx.onInterrupt(() => {
      off();
      resolve();
    });
  });
}
