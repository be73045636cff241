// `skiff token create|list|revoke`: bearer tokens for people and nodes (kubeadm's `kubeadm token`), through the
// master's /skiff/v1/tokens (admins only). A token is shown once, when it is made; the master keeps only its hash.
//   skiff token create [--role view|admin] [--ttl 720h] [--description TEXT]   a credential for a person or a script
//   skiff token create --join [--ttl 24h] [--print-join-command]               a join token for new nodes
//   skiff token list                                                            ids, roles, users, expiry
//   skiff token revoke ID                                                       at once
import type { Command } from 'commander';
import { errorFromResponse } from '../../client/http-response.js';
import { formatTtl, type TokenRecord } from '../../apiserver/auth/tokens.js';
import type { CommandHost } from '../command-host.js';
import type { CliClient } from '../context.js';
import { CliError } from '../errors.js';
import { formatLines } from '../print-table.js';
import { parseDuration } from '../rollout/watch-object.js';

interface CreateFlags {
  role?: string;
  ttl?: number;
  description?: string;
  join?: boolean;
  printJoinCommand?: boolean;
}

type TokenInfo = Omit<TokenRecord, 'secretHash'>;

/** A Go duration in whole seconds; 0 means "never expires". */
function ttlFlag(value: string): number {
  let ms: number;
  try {
    ms = value.trim() === '0' ? 0 : parseDuration(value);
  } catch {
    throw new CliError(
      `error: invalid argument "${value}" for "--ttl" flag: time: invalid duration "${value}"`,
    );
  }
  if (ms < 0) throw new CliError(`error: invalid argument "${value}" for "--ttl" flag: must not be negative`);
  return Math.floor(ms / 1000);
}

async function call(client: CliClient, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await client.rawRequest(method, path, body === undefined ? {} : { body });
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.body);
  return JSON.parse(res.body.toString('utf8'));
}

function expiresCell(t: TokenInfo): string {
  return t.expires ?? '<never>';
}

export function renderTokenList(tokens: TokenInfo[], now: number): string {
  if (tokens.length === 0) return 'No tokens.\n';
  const rows = [...tokens]
    .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0))
    .map((t) => [t.id, t.role, t.user, formatTtl(t, now), expiresCell(t), t.description ?? '<none>']);
  return formatLines([['ID', 'ROLE', 'USER', 'TTL', 'EXPIRES', 'DESCRIPTION'], ...rows]);
}

export function register(program: Command, host: CommandHost): void {
  const token = program.command('token').description('Create, list and revoke bearer tokens (admins only)');

  token
    .command('create')
    .description('Create a token and print it (shown once)')
    .option('--role <role>', 'view (read-only, no Secrets) or admin', 'view')
    .option(
      '--ttl <duration>',
      'lifetime, e.g. 24h or 720h; 0 = never expires (default: join 24h, others never)',
      ttlFlag,
    )
    .option('--description <text>', 'what the token is for')
    .option('--join', 'a join token for `skiff agent --token` (new nodes), kubeadm style <id>.<secret>')
    .option('--print-join-command', 'with --join: print the whole `skiff agent` command a new node runs')
    .action(async (opts: CreateFlags, cmd: Command) => {
      const { client, server } = host.session(cmd);
      if (opts.join && cmd.getOptionValueSource('role') === 'cli') {
        throw new CliError('error: --join and --role do not go together (a join token has the join role)');
      }
      if (opts.printJoinCommand && !opts.join) throw new CliError('error: --print-join-command needs --join');
      if (!opts.join && opts.role !== 'view' && opts.role !== 'admin') {
        throw new CliError(`error: --role must be view or admin, got "${opts.role ?? ''}"`);
      }
      if (opts.join && opts.ttl === 0) throw new CliError('error: a join token must expire: give --ttl > 0');
      const created = (await call(client, 'POST', '/skiff/v1/tokens', {
        role: opts.join ? 'join' : opts.role,
        ...(opts.ttl !== undefined && opts.ttl > 0 ? { ttlSeconds: opts.ttl } : {}),
        ...(opts.description ? { description: opts.description } : {}),
      })) as { token: string };
      if (opts.printJoinCommand) {
        const info = (await call(client, 'GET', '/skiff/v1/cluster-info')) as { caCertHash: string };
        host.ctx.stdout.write(
          `skiff agent --master ${server} --token ${created.token} --ca-cert-hash ${info.caCertHash}\n`,
        );
      } else {
        host.ctx.stdout.write(`${created.token}\n`);
      }
      host.exit(0);
    });

  token
    .command('list')
    .description('List tokens: id, role, user, expiry (never the secrets)')
    .action(async (_opts: unknown, cmd: Command) => {
      const list = (await call(host.session(cmd).client, 'GET', '/skiff/v1/tokens')) as {
        items: TokenInfo[];
      };
      host.ctx.stdout.write(renderTokenList(list.items, host.ctx.clock.now()));
      host.exit(0);
    });

  token
    .command('revoke')
    .description('Revoke a token at once (by id, or the whole token)')
    .argument('<id>', 'the token id (the part before the dot)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const tokenId = id.split('.')[0];
      await call(host.session(cmd).client, 'DELETE', `/skiff/v1/tokens/${encodeURIComponent(tokenId)}`);
      host.ctx.stdout.write(`token "${tokenId}" revoked\n`);
      host.exit(0);
    });
}
