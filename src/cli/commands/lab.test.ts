// `skiff lab` parses its flags into the lab API and prints what it reports, here over the in-memory lab host.
import { Command } from 'commander';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeLabHost } from '../../../test/fakes/fake-lab-host.js';
import type { CommandHost } from '../command-host.js';
import { testCli } from '../cli-test-support.js';
import { formatError } from '../errors.js';
import { register } from './lab.js';

let host: FakeLabHost;

async function lab(...argv: string[]) {
  const cli = testCli();
  let code = 0;
  const commandHost: CommandHost = {
    ctx: cli.ctx,
    session: () => {
      throw new Error('no API session in skiff lab');
    },
    connection: () => {
      throw new Error('no API connection in skiff lab');
    },
    exit: (c) => (code = c),
  };
  const program = new Command('skiff').exitOverride();
  program.configureOutput({ writeOut: (s) => cli.stdout.write(s), writeErr: (s) => cli.stderr.write(s) });
  register(program, commandHost, { labHost: host });
  try {
    await program.parseAsync(['lab', ...argv], { from: 'user' });
  } catch (err) {
    cli.stderr.write(formatError(err) + '\n');
    code = 1;
  }
  return { code, stdout: cli.stdout.text, stderr: cli.stderr.text };
}

beforeEach(() => {
  host = new FakeLabHost();
});

describe('skiff lab', () => {
  it('up prints its progress, the node table and the kubeconfig path', async () => {
    const res = await lab(
      'up',
      '--nodes',
      '2',
      '--name',
      'demo',
      '--subnet',
      '10.230.1.0/24',
      '--port',
      '7000',
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      'lab demo: LAN 10.230.1.0/24, master https://10.230.1.1:7000 (LAN created)\n',
    );
    expect(res.stdout).toContain('demo-n1 (10.230.1.11, netns demo-n1): creating\n');
    expect(res.stdout).toMatch(/demo-n2 +Ready +10\.230\.1\.12/);
    expect(res.stdout).toContain('kubeconfig: /var/lib/skiff-lab/demo/kubeconfig');
  });

  it('names the default lab’s nodes node1… and passes extra daemon flags and the cluster CIDR through', async () => {
    const res = await lab(
      'up',
      '--nodes',
      '1',
      '--agent-arg=--heartbeat-seconds=2',
      '--cluster-cidr',
      '10.160.0.0/16',
    );
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/node1 +Ready +10\.200\.0\.11/);
    const agent = host.commands.find((c) => c.startsWith('spawn') && c.includes(' agent '))!;
    expect(agent).toContain('--node-name node1');
    expect(agent).toContain('--cluster-cidr 10.160.0.0/16 --heartbeat-seconds=2');
  });

  it('runs the node verbs by node name or number', async () => {
    await lab('up', '--nodes', '2');
    expect((await lab('kill-node', 'node2')).stdout).toMatch(
      /^node2: powered off \(\d+ processes killed, LAN link down\)\n$/,
    );
    expect((await lab('restart-node', '--no-wait', '2')).stdout).toContain('node2: booted\n');
    expect((await lab('partition', 'node1')).stdout).toBe('node1: partitioned\n');
    expect((await lab('heal', 'node1')).stdout).toBe('node1: healed\n');
    expect((await lab('stop-agent', '--kill', 'node1')).stdout).toMatch(
      /^node1: agent stopped \(pid \d+\)\n$/,
    );
    expect(host.signals.at(-1)).toMatch(/^SIGKILL /);
    expect((await lab('start-agent', 'node1')).stdout).toMatch(/^node1: agent running \(pid \d+\)\n$/);
    expect((await lab('stop-docker', '--kill', '1')).stdout).toMatch(
      /^node1: dockerd stopped \(pid \d+\)\n$/,
    );
    expect((await lab('start-docker', '1')).stdout).toMatch(/^node1: dockerd running \(pid \d+\)\n$/);
    expect((await lab('stop-master')).stdout).toMatch(/^master stopped \(pid \d+\)\n$/);
    expect((await lab('start-master')).stdout).toMatch(/^master running \(pid \d+\)\n$/);
    expect((await lab('kubeconfig')).stdout).toBe('/var/lib/skiff-lab/skiff/kubeconfig\n');
    expect((await lab('status')).stdout).toMatch(/node2 +True +10\.200\.0\.12/);
    const json = JSON.parse((await lab('status', '-o', 'json')).stdout);
    expect(json.nodes.map((n: { name: string }) => n.name)).toEqual(['node1', 'node2']);
  });

  it('exec runs the command in the node and exits with its code', async () => {
    await lab('up', '--nodes', '1');
    host.execResults.set('false', { code: 3, stdout: '', stderr: 'nope\n' });
    const res = await lab('exec', 'node1', '--', 'false');
    expect(res).toEqual({ code: 3, stdout: '', stderr: 'nope\n' });
  });

  it('reports errors in kubectl style', async () => {
    expect(await lab('kill-node', 'node1')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('error: there is no lab skiff'),
    });
    await lab('up', '--nodes', '1');
    expect((await lab('heal', 'node9')).stderr).toContain(
      'error: lab skiff has no node "node9" (nodes: node1)',
    );
    expect((await lab('up', '--nodes', '1', '--name', 'My-Lab')).stderr).toContain('must be 1-10 lowercase');
  });

  it('down removes the lab', async () => {
    await lab('up', '--nodes', '1');
    const res = await lab('down');
    expect(res.stdout).toMatch(/lab skiff down in [\d.]+ s\n$/);
    expect([...host.namespaces.keys()]).toEqual(['']);
  });
});
