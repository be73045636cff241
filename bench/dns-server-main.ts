// skiff's cluster DNS server as a process of its own for the DNS benchmark (dnsmasq gets one too): the agent's
// DnsServer and QueryHandler, answering for `svc-N.default.svc.cluster.local` from a StaticDnsSource with the same
// names and addresses the dnsmasq hosts file holds, with no upstream (only cluster names are queried).
//
//   node dist/bench/dns-server-main.js --host 127.0.0.1 --port 15353 --names 1000
//
// Prints `ready <port>` once both sockets are bound; SIGTERM stops it and exits 0 (so --cpu-prof writes).
import { DnsServer } from '../agent/dns/dns-server.js';
import { StaticDnsSource } from '../agent/dns/dns-source.js';
import { simServices } from './lib/sim-services.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const host = arg('host', '127.0.0.1');
  const port = Number(arg('port', '0'));
  const names = Number(arg('names', '1000'));
  const sim = simServices(names, 1);
  const server = new DnsServer({
    source: new StaticDnsSource(sim.services, sim.endpoints),
    listen: { host, port },
    upstreams: [],
    clusterDomain: 'cluster.local',
  });
  await server.start();
  process.stdout.write(`ready ${server.addresses()[0].port}\n`);
  const stop = () => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
