// What each command file's register() receives: the context, a Session built from the global options, and a
// way to report the command's exit code.
import type { Command } from 'commander';
import type { Connection } from './client-config.js';
import type { CliContext, Session } from './context.js';

export interface CommandHost {
  ctx: CliContext;
  /** The session for the global options (--server, -n, --token, --kubeconfig…) as seen by `cmd`; connects once. */
  session(cmd: Command): Session;
  /** Where the global options and the kubeconfig point, without connecting. */
  connection(cmd: Command): Connection;
  /** The exit code of the command that ran (default 0). */
  exit(code: number): void;
}
