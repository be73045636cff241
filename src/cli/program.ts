// The commander program: global options, one register() per command file, and the one place where failures
// become kubectl-style messages and exit codes.
import { Command, CommanderError } from 'commander';
import type { CommandHost } from './command-host.js';
import { DEFAULT_SERVER, type CliContext, type Session } from './context.js';
import { formatError } from './errors.js';
import { register as registerApiResources } from './commands/api-resources.js';
import { register as registerAgent } from './commands/agent.js';
import { register as registerApply } from './commands/apply.js';
import { register as registerCordon } from './commands/cordon.js';
import { register as registerDelete } from './commands/delete.js';
import { register as registerDescribe } from './commands/describe.js';
import { register as registerDrain } from './commands/drain.js';
import { register as registerExec } from './commands/exec.js';
import { register as registerGet } from './commands/get.js';
import { register as registerKubeconfig } from './commands/kubeconfig.js';
import { register as registerLab } from './commands/lab.js';
import { register as registerLogs } from './commands/logs.js';
import { register as registerMaster } from './commands/master.js';
import { register as registerRollout } from './commands/rollout.js';
import { register as registerRun } from './commands/run.js';
import { register as registerScale } from './commands/scale.js';
import { register as registerVersion } from './commands/version.js';

interface GlobalOptions {
  server: string;
  namespace: string;
  token?: string;
}

/** Runs one command line (without `node skiff`) and returns the process exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  let code = 0;
  let session: Session | undefined;
  const program = new Command('skiff');
  const host: CommandHost = {
    ctx,
    session(cmd: Command) {
      if (session) return session;
      const g = cmd.optsWithGlobals<GlobalOptions>();
      session = {
        ctx,
        server: g.server,
        namespace: g.namespace,
        namespaceExplicit: program.getOptionValueSource('namespace') === 'cli',
        client: ctx.connect({ server: g.server, token: g.token }),
      };
      return session;
    },
    exit(c: number) {
      code = c;
    },
  };
  program
    .description(
      'skiff: a small, real Kubernetes for Linux hosts (master, agents, and this kubectl-like CLI)',
    )
    .option('--server <url>', 'API server URL ($SKIFF_SERVER)', ctx.env.SKIFF_SERVER || DEFAULT_SERVER)
    .option('-n, --namespace <namespace>', 'namespace of the request', 'default')
    .option(
      '--token <token>',
      'bearer token for the API server ($SKIFF_TOKEN)',
      ctx.env.SKIFF_TOKEN || undefined,
    )
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
  for (const register of [
    registerMaster,
    registerAgent,
    registerLab,
    registerApply,
    registerGet,
    registerDescribe,
    registerDelete,
    registerScale,
    registerRollout,
    registerCordon,
    registerDrain,
    registerLogs,
    registerExec,
    registerRun,
    registerKubeconfig,
    registerApiResources,
    registerVersion,
  ]) {
    register(program, host); // subcommands inherit the exit override and the output streams
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    const server = session?.server ?? program.opts<GlobalOptions>().server;
    ctx.stderr.write(formatError(err, server) + '\n');
    code = 1;
  } finally {
    session?.client.close?.();
  }
  return code;
}
