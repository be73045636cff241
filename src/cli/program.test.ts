import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PODS } from '../apiserver/test-support.js';
import { eventually, startTestApiServer, testCli, type TestApiServer } from './cli-test-support.js';
import type { AgentOptions, CleanupOptions, Daemons } from './context.js';

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('global behaviour', () => {
  it('explains a refused connection and exits 1', async () => {
    const port = await closedPort();
    const res = await testCli().run('--server', `http://127.0.0.1:${port}`, 'get', 'pods');
    expect(res).toEqual({
      code: 1,
      stdout: '',
      stderr: `The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port? (is 'skiff master' running?)\n`,
    });
  });

  it('takes the server from $SKIFF_SERVER, --server winning', async () => {
    const port = await closedPort();
    const viaEnv = await testCli({ server: `http://127.0.0.1:${port}` }).run('get', 'pods');
    expect(viaEnv.stderr).toContain(`127.0.0.1:${port} was refused`);
  });

  it('reports usage errors with commander’s message and exit code 1', async () => {
    const cli = testCli();
    const missing = await cli.run('get');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: missing required argument 'types'\n");
    const unknown = await cli.run('gett', 'pods');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: unknown command 'gett'");
    expect(unknown.stderr).toContain('(Did you mean get?)');
    const badFlag = await cli.run('get', 'pods', '--bogus');
    expect(badFlag).toMatchObject({ code: 1, stderr: "error: unknown option '--bogus'\n" });
  });

  it('prints help on stdout with exit code 0', async () => {
    const res = await testCli().run('--help');
    expect(res.code).toBe(0);
    for (const cmd of [
      'master',
      'agent',
      'apply',
      'get',
      'describe',
      'delete',
      'logs',
      'exec',
      'run',
      'kubeconfig',
      'version',
    ]) {
      expect(res.stdout).toMatch(new RegExp(`\\n  ${cmd}\\b`));
    }
  });
});

describe('skiff run / version / api-resources / kubeconfig', () => {
  let api: TestApiServer;
  beforeEach(async () => {
    api = await startTestApiServer();
  });
  afterEach(() => api.close());

  it('run creates a pod labelled run=NAME like kubectl run', async () => {
    const res = await testCli({ server: api.url }).run(
      'run',
      'box',
      '--image=busybox',
      '--restart=Never',
      '--port',
      '8080',
      '--env',
      'A=1',
      '--env',
      'B=x=y',
      '--',
      'sleep',
      '3600',
    );
    expect(res).toEqual({ code: 0, stdout: 'pod/box created\n', stderr: '' });
    const pod = await api.service.get(PODS, 'default', 'box');
    expect(pod.metadata.labels).toEqual({ run: 'box' });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.containers[0]).toMatchObject({
      name: 'box',
      image: 'busybox',
      args: ['sleep', '3600'],
      ports: [{ containerPort: 8080 }],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: 'x=y' },
      ],
    });
    const cmd = await testCli({ server: api.url }).run(
      'run',
      'sh1',
      '--image',
      'busybox',
      '--labels',
      'app=a,tier=t',
      '--command',
      '--',
      'sh',
      '-c',
      'true',
    );
    expect(cmd.code).toBe(0);
    const sh1 = await api.service.get(PODS, 'default', 'sh1');
    expect(sh1.metadata.labels).toEqual({ app: 'a', tier: 't' });
    expect(sh1.spec.containers[0].command).toEqual(['sh', '-c', 'true']);
    expect((await testCli({ server: api.url }).run('run', 'x')).stderr).toBe('error: --image is required\n');
  });

  it('version prints the client and the server version', async () => {
    const res = await testCli({ server: api.url }).run('version');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Client Version: v0\.1\.0\nServer Version: v\S+\n$/);
  });

  it('api-resources lists the registry', async () => {
    const res = await testCli().run('api-resources');
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    expect(res.stdout).toMatch(/\npods\s+po\s+v1\s+true\s+Pod\n/);
    expect(res.stdout).toMatch(/\nnamespaces\s+ns\s+v1\s+false\s+Namespace\n/);
  });

  it('kubeconfig points kubectl at the server, with the token when given', async () => {
    const res = await testCli({ server: api.url }).run('kubeconfig', '--token', 't0k');
    const cfg = parse(res.stdout);
    expect(cfg.clusters[0]).toEqual({ name: 'skiff', cluster: { server: api.url } });
    expect(cfg.users[0]).toEqual({ name: 'skiff', user: { token: 't0k' } });
    const named = parse(
      (await testCli().run('kubeconfig', '--master', 'http://10.0.0.1:6443', '--name', 'lab')).stdout,
    );
    expect(named['current-context']).toBe('lab');
    expect(named.clusters[0].cluster.server).toBe('http://10.0.0.1:6443');
  });
});

describe('skiff master / agent', () => {
  function fakeDaemons() {
    const calls: {
      master?: { listen: string; dataDir: string };
      agent?: AgentOptions;
      cleanup?: CleanupOptions;
      stopped: string[];
    } = {
      stopped: [],
    };
    const daemons: Daemons = {
      startMaster: async (opts) => {
        calls.master = { listen: opts.listen, dataDir: opts.dataDir };
        return { url: `http://${opts.listen}`, stop: async () => void calls.stopped.push('master') };
      },
      runAgent: async (opts) => {
        calls.agent = opts;
        return { stop: async () => void calls.stopped.push('agent') };
      },
      cleanupAgent: async (opts) => {
        calls.cleanup = opts;
      },
    };
    return { calls, daemons };
  }

  it('master starts with the defaults and stops cleanly on SIGINT/SIGTERM (exit 0)', async () => {
    const { calls, daemons } = fakeDaemons();
    const cli = testCli({ daemons });
    const running = cli.run('master');
    await eventually(() => calls.master !== undefined, 'the master to start');
    expect(calls.master).toEqual({ listen: '127.0.0.1:6443', dataDir: '/var/lib/skiff/master' });
    expect(calls.stopped).toEqual([]);
    cli.interrupt();
    expect((await running).code).toBe(0);
    expect(calls.stopped).toEqual(['master']);
  });

  it('agent passes its flags through, defaults the node name to the hostname, and stops on a signal', async () => {
    const { calls, daemons } = fakeDaemons();
    const cli = testCli({ daemons, server: 'http://m:6443' });
    const running = cli.run(
      'agent',
      '--cluster-dns',
      '10.244.1.1,10.96.0.10',
      '--port',
      '10251',
      '--token',
      'abc',
    );
    await eventually(() => calls.agent !== undefined, 'the agent to start');
    expect(calls.agent).toMatchObject({
      masterUrl: 'http://m:6443',
      nodeName: 'test-host',
      port: 10251,
      dataDir: '/var/lib/skiff/agent',
      clusterDNS: ['10.244.1.1', '10.96.0.10'],
      token: 'abc',
    });
    cli.interrupt();
    expect((await running).code).toBe(0);
    expect(calls.stopped).toEqual(['agent']);
    const explicit = fakeDaemons();
    const cli2 = testCli({ daemons: explicit.daemons });
    const r2 = cli2.run(
      'agent',
      '--master',
      'http://10.0.0.1:6443',
      '--node-name',
      'n2',
      '--node-ip',
      '10.0.0.2',
    );
    await eventually(() => explicit.calls.agent !== undefined, 'the second agent');
    expect(explicit.calls.agent).toMatchObject({
      masterUrl: 'http://10.0.0.1:6443',
      nodeName: 'n2',
      nodeIP: '10.0.0.2',
    });
    cli2.interrupt();
    await r2;
  });

  it('agent networking flags reach the agent, and --cleanup removes rules without starting it', async () => {
    const { calls, daemons } = fakeDaemons();
    const cli = testCli({ daemons });
    const running = cli.run(
      'agent',
      '--pod-network',
      'bridge',
      '--no-proxy',
      '--cluster-cidr',
      '10.100.0.0/16',
      '--service-cidr',
      '10.200.0.0/16',
      '--nodeport-addresses',
      '192.0.2.1',
    );
    await eventually(() => calls.agent !== undefined, 'the agent to start');
    expect(calls.agent).toMatchObject({
      podNetwork: 'bridge',
      proxy: false,
      clusterCIDR: '10.100.0.0/16',
      serviceCIDR: '10.200.0.0/16',
      nodePortAddresses: ['192.0.2.1'],
    });
    cli.interrupt();
    await running;

    const cleanup = fakeDaemons();
    const cli2 = testCli({ daemons: cleanup.daemons });
    const done = await cli2.run('agent', '--cleanup', '--service-cidr', '10.200.0.0/16');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('iptables rules and routes removed');
    expect(cleanup.calls.cleanup).toMatchObject({ serviceCIDR: '10.200.0.0/16' });
    expect(cleanup.calls.agent).toBeUndefined();
  });

  it('a daemon that fails to start exits 1 with its error', async () => {
    const cli = testCli({
      daemons: {
        startMaster: () =>
          Promise.reject(new Error('listen EADDRINUSE: address already in use 127.0.0.1:6443')),
        runAgent: () => Promise.reject(new Error('unused')),
        cleanupAgent: () => Promise.reject(new Error('unused')),
      },
    });
    expect(await cli.run('master')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: listen EADDRINUSE: address already in use 127.0.0.1:6443\n',
    });
  });
});
