// The proxy against the real kernel: a Proxier (fake API, real IptablesFirewall) programs iptables inside a
// network namespace this test creates, and small TCP servers inside that namespace play the endpoints.
// Layout of the namespace (a node in miniature):
//   sk0 10.200.0.11/24 (the node address; veth, peer sk1 unaddressed), route 10.96.0.0/12 dev sk0 (NETLAB P6)
//   lo 10.244.1.5, 10.244.1.6, 10.244.1.7 (/32, the "pods"); servers on 10.244.1.5:8080 and 10.244.1.6:8080
// Clients run inside the namespace (nsenter … node), so their connections take the OUTPUT path through
// SKIFF-SERVICES and SKIFF-PROXY. The namespace is deleted in afterAll, and the server killed by its PID.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Firewall } from '../../agent/proxy/firewall.js';
import { IptablesFirewall } from '../../agent/proxy/iptables-firewall.js';
import { Proxier, cleanupProxyRules } from '../../agent/proxy/proxier.js';
import { checkRuleset } from '../../agent/proxy/ruleset-check.js';
import { endpointChainName, serviceChainName } from '../../agent/proxy/chains.js';
import { ENDPOINTS, SERVICES } from '../../src/client/api-client.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { FakeApiClient } from '../fakes/fake-api-client.js';
import { CLUSTER_CIDR, SERVICE_CIDR, addresses, endpoints, service } from '../golden/proxy/cases.js';

const run = promisify(execFile);
const NS = `skt-${randomBytes(4).toString('hex')}`;
const NSENTER = ['nsenter', `--net=/run/netns/${NS}`, '--'];

// Each server answers one line: its own address.
const SERVER_JS = `
const net = require('net');
let n = 0;
for (const ip of process.argv.slice(1)) net.createServer((s) => s.end(ip + '\\n')).listen(8080, ip, () => {
  if (++n === process.argv.length - 1) console.log('ready');
});`;

// Connects `count` times, one after the other; prints one JSON result per attempt.
const CLIENT_JS = `
const net = require('net');
const [host, port, count] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
(async () => {
  const out = [];
  for (let i = 0; i < count; i++) {
    const t = Date.now();
    out.push(await new Promise((done) => {
      const s = net.connect({ host, port, timeout: 3000 });
      let body = '';
      s.on('data', (d) => (body += d));
      s.on('end', () => done({ body: body.trim(), ms: Date.now() - t }));
      s.on('timeout', () => { s.destroy(); done({ error: 'TIMEOUT', ms: Date.now() - t }); });
      s.on('error', (e) => done({ error: e.code, ms: Date.now() - t }));
    }));
  }
  console.log(JSON.stringify(out));
})();`;

interface Attempt {
  body?: string;
  error?: string;
  ms: number;
}

async function connect(host: string, port: number, count = 1): Promise<Attempt[]> {
  const { stdout } = await run(NSENTER[0], [
    ...NSENTER.slice(1),
    process.execPath,
    '-e',
    CLIENT_JS,
    host,
    String(port),
    String(count),
  ]);
  return JSON.parse(stdout) as Attempt[];
}

function tally(attempts: Attempt[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const a of attempts) t[a.body ?? a.error!] = (t[a.body ?? a.error!] ?? 0) + 1;
  return t;
}

const ns = (...args: string[]) =>
  execFileSync(NSENTER[0], [...NSENTER.slice(1), ...args], { encoding: 'utf8' });

/** iptables-save of both tables without the timestamps and counters, for before/after comparison. */
function saveAll(): string {
  return ns('iptables-save')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]'))
    .join('\n');
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = systemClock.now() + ms;
  while (!(await check())) {
    if (systemClock.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await systemClock.sleep(50);
  }
}

const http = { name: 'http', protocol: 'TCP' as const, port: 80, targetPort: 8080 };
const readyPorts = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
const firewall = new IptablesFirewall({ netns: NS });
/** The batches the proxier sent (all accepted by the kernel, or a test below fails). */
const batches: string[] = [];
const recording: Firewall = {
  restore: (text) => (batches.push(text), firewall.restore(text)),
  save: (table) => firewall.save(table),
  hasRule: (rule) => firewall.hasRule(rule),
  insertRule: (rule) => firewall.insertRule(rule),
  deleteRule: (rule) => firewall.deleteRule(rule),
};
const client = new FakeApiClient();
let server: ChildProcess | undefined;
let proxier: Proxier | undefined;
let before = '';

beforeAll(async () => {
  execFileSync('ip', ['netns', 'add', NS]);
  const ip = (...args: string[]) => execFileSync('ip', ['-n', NS, ...args]);
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', 'sk0', 'type', 'veth', 'peer', 'name', 'sk1');
  ip('link', 'set', 'sk0', 'up');
  ip('link', 'set', 'sk1', 'up');
  ip('addr', 'add', '10.200.0.11/24', 'dev', 'sk0');
  for (const a of ['10.244.1.5', '10.244.1.6', '10.244.1.7']) ip('addr', 'add', `${a}/32`, 'dev', 'lo');
  ip('route', 'add', SERVICE_CIDR, 'dev', 'sk0');
  // Rules of other owners (Docker, the network agent) that the proxy must leave exactly as they are.
  await firewall.restore(
    [
      '*nat',
      ':DOCKER - [0:0]',
      ':SKIFF-POD-MASQ - [0:0]',
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-A POSTROUTING -j SKIFF-POD-MASQ',
      '-A SKIFF-POD-MASQ -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE',
      'COMMIT',
      '*filter',
      ':DOCKER-USER - [0:0]',
      '-A FORWARD -j DOCKER-USER',
      '-A DOCKER-USER -j RETURN',
      'COMMIT',
      '',
    ].join('\n'),
  );
  before = saveAll();

  server = spawn(
    NSENTER[0],
    [...NSENTER.slice(1), process.execPath, '-e', SERVER_JS, '10.244.1.5', '10.244.1.6'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    server!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    server!.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });

  client.seed(
    SERVICES,
    service('web', '10.96.0.10', [{ ...http, nodePort: 30080 }], { type: 'NodePort' }),
    service('empty', '10.96.0.11', [{ ...http, nodePort: 30081 }], { type: 'NodePort' }),
    service('sticky', '10.96.0.12', [http], { sessionAffinity: 'ClientIP' }),
  );
  client.seed(
    ENDPOINTS,
    endpoints('web', [{ addresses: addresses(2), ports: readyPorts }]),
    endpoints('empty', [{ notReadyAddresses: addresses(1, 7), ports: readyPorts }]),
    endpoints('sticky', [{ addresses: addresses(2), ports: readyPorts }]),
  );
  proxier = new Proxier({
    client,
    firewall: recording,
    nodeIPs: [],
    clusterCIDR: CLUSTER_CIDR,
    serviceCIDR: SERVICE_CIDR,
    logger: silentLogger,
    minSyncPeriodMs: 100,
  });
  await proxier.start();
});

afterAll(async () => {
  await proxier?.stop().catch(() => undefined);
  if (server?.pid !== undefined && server.exitCode === null) server.kill('SIGKILL');
  try {
    execFileSync('ip', ['netns', 'del', NS]);
  } catch {
    // already gone (beforeAll failed before creating it)
  }
});

describe('proxy with real iptables (network namespace)', () => {
  it('installs a sound ruleset and the hook rules', async () => {
    const nat = await firewall.save('nat');
    expect(nat).toContain(':SKIFF-SERVICES');
    expect(nat).toMatch(/-A OUTPUT -m comment --comment "?skiff"? -j SKIFF-SERVICES/);
    expect(await firewall.save('filter')).toMatch(/-A OUTPUT -m conntrack --ctstate NEW .*-j SKIFF-PROXY/);
  });

  it('spreads connections to the ClusterIP over both endpoints', async () => {
    const t = tally(await connect('10.96.0.10', 80, 40));
    expect(Object.keys(t).sort()).toEqual(['10.244.1.5', '10.244.1.6']);
    expect(Math.min(...Object.values(t))).toBeGreaterThanOrEqual(5);
  });

  it('answers on the NodePort of the node address', async () => {
    const t = tally(await connect('10.200.0.11', 30080, 10));
    expect(Object.keys(t).every((k) => k === '10.244.1.5' || k === '10.244.1.6')).toBe(true);
  });

  it('refuses at once a service without ready endpoints, on its ClusterIP and its NodePort', async () => {
    for (const [host, port] of [
      ['10.96.0.11', 80],
      ['10.200.0.11', 30081],
    ] as const) {
      const [a] = await connect(host, port);
      expect(a.error).toBe('ECONNREFUSED');
      expect(a.ms).toBeLessThan(1000);
    }
  });

  it('refuses at once an unclaimed service IP and an unserved port of a claimed one', async () => {
    for (const [host, port] of [
      ['10.96.0.99', 80],
      ['10.96.0.10', 81],
    ] as const) {
      const [a] = await connect(host, port);
      expect(a.error).toBe('ECONNREFUSED');
      expect(a.ms).toBeLessThan(1000);
    }
  });

  it('never applies the service-CIDR REJECT to DNATed traffic (NAT comes before filter)', async () => {
    ns('iptables', '-t', 'filter', '-Z', 'SKIFF-PROXY');
    const counter = () => {
      const line = ns('iptables-save', '-c', '-t', 'filter')
        .split('\n')
        .find((l) => l.includes(`-d ${SERVICE_CIDR}`) && l.includes('REJECT'));
      return Number(/^\[(\d+):/.exec(line ?? '')?.[1]);
    };
    expect(tally(await connect('10.96.0.10', 80, 10))).not.toHaveProperty('ECONNREFUSED');
    expect(counter()).toBe(0);
    await connect('10.96.0.99', 80);
    expect(counter()).toBeGreaterThan(0);
  });

  it('keeps a client on one endpoint with ClientIP affinity', async () => {
    const t = tally(await connect('10.96.0.12', 80, 15));
    expect(Object.keys(t)).toHaveLength(1);
    expect(['10.244.1.5', '10.244.1.6']).toContain(Object.keys(t)[0]);
  });

  it('follows an endpoint going away, and deletes a removed service’s chains', async () => {
    await client.update(ENDPOINTS, 'default', {
      ...endpoints('web', [
        { addresses: addresses(1, 6), notReadyAddresses: addresses(1, 5), ports: readyPorts },
      ]),
      metadata: { name: 'web', namespace: 'default' },
    });
    const goneSep = endpointChainName('default/web:http', 'tcp', '10.244.1.5:8080');
    await until('endpoint chain removal', async () => !(await firewall.save('nat')).includes(goneSep));
    expect(tally(await connect('10.96.0.10', 80, 10))).toEqual({ '10.244.1.6': 10 });

    await client.delete(SERVICES, 'default', 'web');
    const svcChain = serviceChainName('default/web:http', 'tcp');
    await until('service chain removal', async () => !(await firewall.save('nat')).includes(svcChain));
    const nat = await firewall.save('nat');
    expect(nat).not.toContain(endpointChainName('default/web:http', 'tcp', '10.244.1.6:8080'));
    expect(nat).not.toContain('default/web');
    const [a] = await connect('10.96.0.10', 80);
    expect(a.error).toBe('ECONNREFUSED');
  });

  it('sent only sound batches (every jump defined, no dead chains)', () => {
    expect(batches.length).toBeGreaterThanOrEqual(3);
    for (const b of batches) expect(checkRuleset(b)).toEqual([]);
  });

  it('cleans up to exactly the iptables it found', async () => {
    await proxier!.stop({ cleanup: true });
    proxier = undefined;
    expect(saveAll()).toBe(before);
  });

  it('cleans up a node without proxy rules as a no-op (skiff agent --cleanup twice)', async () => {
    expect(await cleanupProxyRules(firewall)).toEqual({ hooks: 0, chains: 0 });
    expect(saveAll()).toBe(before);
  });
});
