// `skiff version`: this CLI's version, then the server's (GET /version).
import type { Command } from 'commander';
import { errorFromResponse } from '../../client/http-response.js';
import type { CommandHost } from '../command-host.js';

export function register(program: Command, host: CommandHost): void {
  program
    .command('version')
    .description('Print the client and server versions')
    .option('--client', 'only the client version')
    .action(async (opts: { client?: boolean }, cmd: Command) => {
      host.ctx.stdout.write(`Client Version: ${host.ctx.version}\n`);
      if (opts.client) return host.exit(0);
      const res = await host.session(cmd).client.rawRequest('GET', '/version');
      if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.body);
      const info = JSON.parse(res.body.toString('utf8')) as { gitVersion?: string };
      host.ctx.stdout.write(`Server Version: ${info.gitVersion ?? 'unknown'}\n`);
      host.exit(0);
    });
}
