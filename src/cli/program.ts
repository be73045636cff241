// The commander program: global options, one register() per command file, and the one place where failures
// become kubectl-style messages and exit codes.
import { Command, CommanderError } from 'commander';
import { resolveConnection, type Connection, type ConnectionFlags } from './client-config.js';
import type { CommandHost } from './command-host.js';
import type { CliContext, Session } from './context.js';
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
import { register as registerToken } from './commands/token.js';
import { register as registerVersion } from './commands/version.js';

type GlobalOptions = ConnectionFlags;

/** Runs one command line (without `node skiff`) and returns the process exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  let code = 0;
  let session: Session | undefined;
  const program = new Command('skiff');
  const host: CommandHost = {
    ctx,
    connection(cmd: Command): Connection {
      return resolveConnection(cmd.optsWithGlobals<GlobalOptions>(), ctx);
    },
    session(cmd: Command) {
      if (session) return session;
      const c = host.connection(cmd);
      session = {
        ctx,
        server: c.server,
        namespace: c.namespace,
        namespaceExplicit: program.getOptionValueSource('namespace') === 'cli',
        client: ctx.connect({
          server: c.server,
          token: c.token,
          ca: c.caPem,
          insecureSkipTLSVerify: c.insecureSkipTLSVerify,
        }),
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
    .option(
      '--server <url>',
      'API server URL ($SKIFF_SERVER; default: the kubeconfig’s, else https://127.0.0.1:6443)',
    )
    .option('-n, --namespace <namespace>', 'namespace of the request (default: the context’s, else default)')
    .option('--token <token>', 'bearer token for the API server ($SKIFF_TOKEN; default: the kubeconfig’s)')
    .option(
      '--kubeconfig <file>',
      'kubeconfig to use ($KUBECONFIG; default /var/lib/skiff/master/admin.kubeconfig if readable, else ~/.kube/config)',
    )
    .option('--context <name>', 'kubeconfig context to use (default: its current-context)')
    .option('--certificate-authority <file>', 'CA certificate (PEM) to verify the server with')
    .option('--insecure-skip-tls-verify', 'do not verify the server’s certificate (insecure)')
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
    registerToken,
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
