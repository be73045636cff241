// `skiff master`: run the control plane (API server, store, scheduler, controllers) until SIGINT/SIGTERM, then stop
// it cleanly and exit 0. A second Ctrl-C while stopping exits at once. HTTPS on --listen always; plain HTTP only on
// an explicit loopback --insecure-listen.
import type { Command } from 'commander';
import { tlsSanProblem } from '../../apiserver/auth/sans.js';
import { DEFAULT_SERVICE_CIDR } from '../../apiserver/ip-allocator.js';
import { checkInsecureListen } from '../../apiserver/listen-address.js';
import { DEFAULT_NODE_PORT_RANGE } from '../../apiserver/port-allocator.js';
import { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_MASK_SIZE } from '../../controllers/nodeipam/cidr-allocator.js';
import {
  isNodeLifecycleProfile,
  NODE_LIFECYCLE_PROFILES,
  type NodeLifecycleProfile,
} from '../../controllers/nodelifecycle/settings.js';
import type { CommandHost } from '../command-host.js';
import { CliError } from '../errors.js';
import { parseDuration } from '../rollout/watch-object.js';
import { parseInteger } from './delete.js';
import { waitForInterrupt } from './agent.js';

interface MasterFlags {
  listen: string;
  insecureListen?: string;
  tlsSan: string[];
  dataDir: string;
  serviceCidr: string;
  serviceNodePortRange: string;
  clusterCidr: string;
  nodeCidrMaskSize: number;
  advertiseAddress?: string;
  profile: NodeLifecycleProfile;
  nodeMonitorGracePeriod?: number;
  nodeMonitorPeriod?: number;
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
  logLevel?: string;
}

/** A Go duration flag (`10s`, `1m30s`, `500ms`; a bare number is seconds) in milliseconds, > 0. */
function durationFlag(flag: string) {
  return (value: string): number => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      throw new CliError(
        `error: invalid argument "${value}" for "${flag}" flag: time: invalid duration "${value}"`,
      );
    }
    if (ms <= 0)
      throw new CliError(`error: invalid argument "${value}" for "${flag}" flag: must be positive`);
    return ms;
  };
}

function secondsFlag(flag: string) {
  return (value: string): number => {
    const n = parseInteger(value);
    if (n < 0)
      throw new CliError(`error: invalid argument "${value}" for "${flag}" flag: must not be negative`);
    return n;
  };
}

function insecureListenFlag(value: string): string {
  try {
    checkInsecureListen(value);
  } catch (err) {
    throw new CliError(
      `error: invalid argument "${value}" for "--insecure-listen" flag: ${(err as Error).message}`,
    );
  }
  return value;
}

function tlsSanFlag(value: string, previous: string[]): string[] {
  const values = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const v of values) {
    const problem = tlsSanProblem(v);
    if (problem) throw new CliError(`error: ${problem}`);
  }
  return [...previous, ...values];
}

function profileFlag(value: string): NodeLifecycleProfile {
  if (!isNodeLifecycleProfile(value))
    throw new CliError(
      `error: invalid argument "${value}" for "--profile" flag: must be one of ${NODE_LIFECYCLE_PROFILES.join(', ')}`,
    );
  return value;
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('master')
    .description('Run the master: API server, store, scheduler and controllers')
    .option('--listen <host:port>', 'address the API server serves HTTPS on', '127.0.0.1:6443')
    .option(
      '--insecure-listen <host:port>',
      'also serve plain HTTP here, without authentication (acts as admin); loopback addresses only',
      insecureListenFlag,
    )
    .option(
      '--tls-san <name>',
      'extra DNS name or IP for the serving certificate (repeatable or comma-separated)',
      tlsSanFlag,
      [],
    )
    .option(
      '--data-dir <dir>',
      'where the store, the CA and certificates (pki/) and admin.kubeconfig live',
      '/var/lib/skiff/master',
    )
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
    .option(
      '--profile <profile>',
      'node failure timing: lab (a silent node is Unknown after 10s, its pods evicted 5s later) or kubernetes ' +
        '(upstream: 50s and 300s)',
      profileFlag,
      'lab',
    )
    .option(
      '--node-monitor-grace-period <duration>',
      'silence after which a node is marked Unknown (lab 10s, kubernetes 50s)',
      durationFlag('--node-monitor-grace-period'),
    )
    .option(
      '--node-monitor-period <duration>',
      'how often node health is checked (lab 1s, kubernetes 5s)',
      durationFlag('--node-monitor-period'),
    )
    .option(
      '--default-not-ready-toleration-seconds <seconds>',
      'tolerationSeconds of the not-ready:NoExecute toleration every new pod gets (lab 5, kubernetes 300)',
      secondsFlag('--default-not-ready-toleration-seconds'),
    )
    .option(
      '--default-unreachable-toleration-seconds <seconds>',
      'tolerationSeconds of the unreachable:NoExecute toleration every new pod gets (lab 5, kubernetes 300)',
      secondsFlag('--default-unreachable-toleration-seconds'),
    )
    .option('--log-level <level>', 'debug, info, warn or error ($SKIFF_LOG_LEVEL)')
    .action(async (opts: MasterFlags) => {
      const { ctx } = host;
      const logger = ctx.createLogger(opts.logLevel);
      const master = await ctx.daemons.startMaster({
        listen: opts.listen,
        ...(opts.insecureListen ? { insecureListen: opts.insecureListen } : {}),
        ...(opts.tlsSan.length > 0 ? { tlsSANs: opts.tlsSan } : {}),
        dataDir: opts.dataDir,
        serviceCIDR: opts.serviceCidr,
        serviceNodePortRange: opts.serviceNodePortRange,
        clusterCIDR: opts.clusterCidr,
        nodeCIDRMaskSize: opts.nodeCidrMaskSize,
        advertiseAddress: opts.advertiseAddress,
        profile: opts.profile,
        nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriod,
        nodeMonitorPeriodMs: opts.nodeMonitorPeriod,
        defaultNotReadyTolerationSeconds: opts.defaultNotReadyTolerationSeconds,
        defaultUnreachableTolerationSeconds: opts.defaultUnreachableTolerationSeconds,
        logger,
      });
      await waitForInterrupt(ctx);
      logger.info('stopping the master');
      await master.stop();
      host.exit(0);
    });
}
