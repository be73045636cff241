// `skiff lab`: a real N-node cluster on this machine (src/lab/): up, down, status, the failure drills (kill-node,
// restart-node, partition, heal, stop-/start-agent, stop-/start-docker, stop-/start-master), load-image, exec and
// kubeconfig. Needs root.
import type { Command } from 'commander';
import type { CommandHost } from '../command-host.js';
import { collect } from './apply.js';
import { parseInteger } from './delete.js';
import type { LabHost } from '../../lab/host.js';

type LabModule = typeof import('../../lab/lab.js');

export interface LabCommandDeps {
  /** The lab's host effects (tests pass a fake; default: the real host, which needs root). */
  labHost?: LabHost;
}

interface NameOption {
  name: string;
}

export function register(program: Command, host: CommandHost, deps: LabCommandDeps = {}): void {
  const out = (line: string) => host.ctx.stdout.write(line.endsWith('\n') ? line : `${line}\n`);
  // Loaded on demand, so other commands do not load dockerode.
  const load = (): Promise<LabModule> => import('../../lab/lab.js');
  const open = async (name: string) => (await load()).openLab(name, { host: deps.labHost, progress: out });
  const withName = (cmd: Command) =>
    cmd.option('--name <name>', 'which lab (several can run side by side)', 'skiff');

  const lab = program
    .command('lab')
    .description(
      'A real N-node cluster on this machine: nodes are network namespaces with their own dockerd',
    );

  withName(lab.command('up'))
    .description('Create the lab (or repair it, or change its node count) and wait until every node is Ready')
    .requiredOption('--nodes <n>', 'number of nodes', parseInteger)
    .option('--subnet <cidr>', 'the lab LAN: master .1, node N .(10+N) (default 10.200.0.0/24)')
    .option('--port <port>', 'the master API port (default 6443)', parseInteger)
    .option(
      '--cluster-cidr <cidr>',
      'the pod range (default 10.244.0.0/16; labs side by side need different ones)',
    )
    .option('--log-level <level>', 'log level of the master and agents')
    .option('--master-arg <flag>', 'extra flag for `skiff master` (repeatable)', collect, [])
    .option('--agent-arg <flag>', 'extra flag for every `skiff agent` (repeatable)', collect, [])
    .action(
      async (
        o: NameOption & {
          nodes: number;
          subnet?: string;
          port?: number;
          clusterCidr?: string;
          logLevel?: string;
          masterArg: string[];
          agentArg: string[];
        },
      ) => {
        await (
          await load()
        ).labUp({
          nodes: o.nodes,
          name: o.name,
          subnet: o.subnet,
          port: o.port,
          clusterCIDR: o.clusterCidr,
          logLevel: o.logLevel,
          masterArgs: o.masterArg.length ? o.masterArg : undefined,
          agentArgs: o.agentArg.length ? o.agentArg : undefined,
          host: deps.labHost,
          progress: out,
        });
        host.exit(0);
      },
    );

  withName(lab.command('down'))
    .description('Remove the lab: processes, namespaces, links, routes, mounts, cgroups, data')
    .action(async (o: NameOption) => {
      await (await load()).labDown(o.name, { host: deps.labHost, progress: out });
      host.exit(0);
    });

  withName(lab.command('status'))
    .description('Show the master and every node: link, dockerd, agent, Ready, pod CIDR')
    .option('-o, --output <format>', 'json for the raw status')
    .action(async (o: NameOption & { output?: string }) => {
      const { renderStatus } = await import('../../lab/status.js');
      const status = await (await open(o.name)).status();
      out(o.output === 'json' ? JSON.stringify(status, null, 2) : renderStatus(status));
      host.exit(0);
    });

  const nodeVerb = (name: string, description: string, act: (l: Lab, node: string) => Promise<string>) =>
    withName(lab.command(name))
      .description(description)
      .argument('<node>', 'node name (node2, <lab>-n2) or number')
      .action(async (node: string, o: NameOption) => {
        out(await act(await open(o.name), node));
        host.exit(0);
      });
  type Lab = Awaited<ReturnType<typeof open>>;

  nodeVerb(
    'kill-node',
    'Power cut: cable out, agent, dockerd, containerd, shims and containers SIGKILLed',
    async (l, n) => {
      const pids = await l.killNode(n);
      return `${l.node(n).name}: powered off (${pids.length} processes killed, LAN link down)`;
    },
  );
  withName(lab.command('restart-node'))
    .description('Boot a node again: cable in, dockerd, agent; waits until it is Ready')
    .argument('<node>', 'node name (node2, <lab>-n2) or number')
    .option('--no-wait', 'return once the agent is started')
    .action(async (n: string, o: NameOption & { wait: boolean }) => {
      const l = await open(o.name);
      await l.restartNode(n, { waitReady: o.wait });
      out(`${l.node(n).name}: ${o.wait ? 'Ready' : 'booted'}`);
      host.exit(0);
    });
  nodeVerb(
    'partition',
    "Cut the node off the LAN (its bridge port down; the node's routes stay)",
    async (l, n) => {
      await l.partition(n);
      return `${l.node(n).name}: partitioned`;
    },
  );
  nodeVerb('heal', 'Plug the node back into the LAN', async (l, n) => {
    await l.heal(n);
    return `${l.node(n).name}: healed`;
  });
  withName(lab.command('stop-agent'))
    .description("Stop the node's agent (SIGTERM; --kill for SIGKILL); its pods keep running")
    .argument('<node>', 'node name (node2, <lab>-n2) or number')
    .option('--kill', 'SIGKILL, as in a crash')
    .action(async (n: string, o: NameOption & { kill?: boolean }) => {
      const l = await open(o.name);
      const pids = await l.stopAgent(n, { signal: o.kill ? 'SIGKILL' : 'SIGTERM' });
      out(`${l.node(n).name}: agent ${pids.length ? `stopped (pid ${pids.join(', ')})` : 'was not running'}`);
      host.exit(0);
    });
  nodeVerb('start-agent', "Start the node's agent (if it is not running)", async (l, n) => {
    const pid = await l.startAgent(n);
    return `${l.node(n).name}: agent running (pid ${pid})`;
  });

  withName(lab.command('stop-docker'))
    .description("Stop the node's dockerd only (SIGTERM stops its containers; --kill leaves them running)")
    .argument('<node>', 'node name (node2, <lab>-n2) or number')
    .option('--kill', 'SIGKILL, as in a crash')
    .action(async (n: string, o: NameOption & { kill?: boolean }) => {
      const l = await open(o.name);
      const pids = await l.stopDockerd(n, { signal: o.kill ? 'SIGKILL' : 'SIGTERM' });
      out(
        `${l.node(n).name}: dockerd ${pids.length ? `stopped (pid ${pids.join(', ')})` : 'was not running'}`,
      );
      host.exit(0);
    });
  nodeVerb(
    'start-docker',
    "Start the node's dockerd (if it is not running) and wait until it answers",
    async (l, n) => {
      const pid = await l.startDockerd(n);
      return `${l.node(n).name}: dockerd running (pid ${pid})`;
    },
  );
  withName(lab.command('stop-master'))
    .description('Stop the master (SIGTERM; --kill for SIGKILL); agents and pods keep running')
    .option('--kill', 'SIGKILL, as in a crash')
    .action(async (o: NameOption & { kill?: boolean }) => {
      const pids = await (await open(o.name)).stopMaster({ signal: o.kill ? 'SIGKILL' : 'SIGTERM' });
      out(`master ${pids.length ? `stopped (pid ${pids.join(', ')})` : 'was not running'}`);
      host.exit(0);
    });
  withName(lab.command('start-master'))
    .description('Start the master (if it is not running) and wait until it answers')
    .action(async (o: NameOption) => {
      out(`master running (pid ${await (await open(o.name)).startMaster()})`);
      host.exit(0);
    });

  withName(lab.command('load-image'))
    .description('Copy images from the host engine into every node (docker save | docker -H node load)')
    .argument('<images...>', 'image references, e.g. myapp:1')
    .action(async (images: string[], o: NameOption) => {
      await (await open(o.name)).loadImages(images);
      out(`loaded into every node: ${images.join(', ')}`);
      host.exit(0);
    });

  withName(lab.command('exec'))
    .description("Run a command inside a node's network namespace, e.g. skiff lab exec node1 -- wget -qO- IP")
    .argument('<node>', 'node name (node2, <lab>-n2) or number')
    .argument('<command...>', 'the command and its arguments')
    .action(async (n: string, argv: string[], o: NameOption) => {
      const res = await (await open(o.name)).exec(n, argv, { timeoutMs: 600_000 });
      host.ctx.stdout.write(res.stdout);
      host.ctx.stderr.write(res.stderr);
      host.exit(res.code);
    });

  withName(lab.command('kubeconfig'))
    .description("Print the path of the lab's kubeconfig (export KUBECONFIG=$(skiff lab kubeconfig))")
    .action(async (o: NameOption) => {
      out((await open(o.name)).kubeconfig);
      host.exit(0);
    });
}
