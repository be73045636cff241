// `skiff kubeconfig`: print a kubeconfig that lets stock kubectl talk to this skiff master over HTTPS with no extra
// flags: the server, the cluster CA (certificate-authority-data) and a bearer token.
//   On the master host, as root: everything comes from <data-dir>/admin.kubeconfig (the CLI's fallback kubeconfig),
//     so `skiff kubeconfig > ~/.kube/config` just works.
//   Elsewhere: `skiff kubeconfig --server https://MASTER:6443 --token <token from skiff token create>` and either
//     --certificate-authority ca.crt or --ca-cert-hash sha256:… (the CA is then fetched and checked against the
//     hash; without either it is trusted on first use, with a warning that prints its hash).
import type { Command } from 'commander';
import { HttpApiClient } from '../../client/http-api-client.js';
import { errorFromResponse } from '../../client/http-response.js';
import { caCertHash } from '../../apiserver/auth/cert-info.js';
import type { CommandHost } from '../command-host.js';
import { CliError } from '../errors.js';
import { renderKubeconfig } from '../kubeconfig.js';

interface KubeconfigFlags {
  master?: string;
  name: string;
  caCertHash?: string;
}

/** The CA a server presents at /skiff/v1/cluster-info, read without verification and checked against `pin`. */
async function fetchCa(
  server: string,
  pin: string | undefined,
  warn: (line: string) => void,
): Promise<string> {
  const client = new HttpApiClient({ server, insecureSkipTLSVerify: true, requestTimeoutMs: 10_000 });
  try {
    const res = await client.rawRequest('GET', '/skiff/v1/cluster-info');
    if (res.status !== 200) throw errorFromResponse(res.status, res.body);
    const ca = (JSON.parse(res.body.toString('utf8')) as { certificateAuthority?: string })
      .certificateAuthority;
    if (!ca) throw new CliError(`error: ${server} sent no CA certificate`);
    const hash = caCertHash(ca);
    if (pin && hash !== pin.toLowerCase()) {
      throw new CliError(
        `error: the server's CA has hash ${hash}, not ${pin}: not writing a kubeconfig for it`,
      );
    }
    if (!pin) warn(`warning: trusting the CA ${server} sent (${hash}); pass --ca-cert-hash to check it\n`);
    return ca;
  } finally {
    client.close();
  }
}

export function register(program: Command, host: CommandHost): void {
  program
    .command('kubeconfig')
    .description(
      'Print a kubeconfig for kubectl with the CA and a token (e.g. skiff kubeconfig > ~/.kube/config)',
    )
    .option('--master <url>', 'the API server URL to write (default: --server, or the kubeconfig’s)')
    .option('--name <name>', 'name of the cluster, user and context', 'skiff')
    .option('--ca-cert-hash <sha256:hex>', 'fetch the CA from the server and check it has this hash')
    .action(async (opts: KubeconfigFlags, cmd: Command) => {
      const c = host.connection(cmd);
      const server = opts.master ?? c.server;
      const secure = new URL(server).protocol === 'https:';
      let caPem = c.caPem;
      if (caPem && opts.caCertHash && caCertHash(caPem) !== opts.caCertHash.toLowerCase()) {
        throw new CliError(`error: the CA has hash ${caCertHash(caPem)}, not ${opts.caCertHash}`);
      }
      if (secure && !caPem && !c.insecureSkipTLSVerify) {
        caPem = await fetchCa(server, opts.caCertHash, (l) => host.ctx.stderr.write(l));
      }
      if (!c.token && secure) {
        host.ctx.stderr.write(
          'warning: no token: kubectl will be refused (401); pass --token (on the master: skiff token create)\n',
        );
      }
      host.ctx.stdout.write(
        renderKubeconfig({
          server,
          name: opts.name,
          namespace: c.namespace,
          token: c.token,
          caPem,
          insecureSkipTLSVerify: !caPem && c.insecureSkipTLSVerify,
        }),
      );
      host.exit(0);
    });
}
