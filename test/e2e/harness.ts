// End-to-end harness: runs the built `skiff` binary (dist/) as real processes — a master and agents on this
// machine's Docker engine — and drives them with stock kubectl and the skiff CLI. Each run uses a unique prefix
// for node names (and so for container labels) and temp dirs, and cleans up after itself even when a test fails.
// The clusters are secure like any other: the master serves HTTPS; kubectl and the skiff CLI use a copy of the
// master's admin.kubeconfig (CA + admin token); agents join with a join token from `skiff token create --join`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HttpApiClient } from '../../src/client/http-api-client.js';
import { AGENT_NODE_FLAGS } from '../../agent/node-flags.js';
import { loadKubeconfig } from '../../src/cli/kubeconfig.js';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The skiff build under test; $SKIFF_CLI points at another build (leaving a shared dist/ alone). */
export const CLI = process.env.SKIFF_CLI ?? join(ROOT, 'dist/src/cli/main.js');
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
/** Agent flags for nodes on the host engine: no pod network management, no iptables. */
export const HOST_AGENT_ARGS = ['--pod-network', 'bridge', '--no-proxy'];

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
) {
  return new Promise<RunResult>((resolvePromise) => {
    const child = execFile(
      cmd,
      args,
      {
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
        resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolvePromise(port));
    });
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`,
  );
}

export function runId(): string {
  return `e2e${randomBytes(3).toString('hex')}`;
}

interface Daemon {
  name: string;
  child: ChildProcess;
  logFile: string;
}

/** A master (and optionally agents) started from dist/, each a child process this test owns. */
export class Cluster {
  readonly id = runId();
  readonly dir = mkdtempSync(join(tmpdir(), `skiff-${this.id}-`));
  readonly kubeconfig = join(this.dir, 'kubeconfig');
  readonly kubeCache = join(this.dir, 'kube-cache');
  readonly daemons: Daemon[] = [];
  url = '';
  port = 0;
  nodes: string[] = [];
  /** The master's admin credential (from its admin.kubeconfig) and the client that uses it. */
  adminToken = '';
  caPem = '';
  private client: HttpApiClient | undefined;

  get masterDataDir(): string {
    return join(this.dir, 'master');
  }

  async startMaster(extraArgs: string[] = []): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.url = `https://127.0.0.1:${this.port}`;
    this.spawn('master', [
      'master',
      '--listen',
      `127.0.0.1:${this.port}`,
      '--data-dir',
      this.masterDataDir,
      ...extraArgs,
    ]);
    const admin = join(this.masterDataDir, 'admin.kubeconfig');
    await waitFor(
      'the API server and its admin.kubeconfig',
      async () => {
        if (!existsSync(admin)) return false;
        const c = loadKubeconfig([{ path: admin, text: readFileSync(admin, 'utf8') }], () => undefined);
        this.client?.close();
        this.client = new HttpApiClient({ server: this.url, token: c.token, ca: c.caPem });
        this.adminToken = c.token ?? '';
        this.caPem = c.caPem ?? '';
        return (await this.client.rawRequest('GET', '/api/v1/namespaces/default')).status === 200;
      },
      30_000,
    );
    copyFileSync(admin, this.kubeconfig);
  }

  /** An HTTPS request to the master as admin, answered like fetch() (for tests that speak raw HTTP). */
  async fetch(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
    if (!this.client) throw new Error('the master has not started');
    const url = new URL(path, 'https://master');
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const res = await this.client.rawRequest(init.method ?? 'GET', url.pathname, {
      query,
      ...(init.body !== undefined ? { body: init.body } : {}),
      headers: init.headers ?? {},
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
    const empty = res.status === 204 || res.status === 304;
    return new Response(empty ? null : new Uint8Array(res.body), { status: res.status, headers });
  }

  /** `--token … --ca-cert-hash …` for a new agent, from `skiff token create --join --print-join-command`. */
  async joinArgs(): Promise<string[]> {
    const res = await this.skiff(['token', 'create', '--join', '--ttl', '10m', '--print-join-command']);
    const m = /--token (\S+) --ca-cert-hash (\S+)/.exec(res.stdout);
    if (res.code !== 0 || !m)
      throw new Error(`skiff token create --join failed: ${res.stderr || res.stdout}`);
    return ['--token', m[1], '--ca-cert-hash', m[2]];
  }

  /**
   * Starts an agent on the host's Docker engine. By default it leaves the host's networking alone (pods on Docker's
   * default bridge, no service proxy): tests that need the pod network and Services run nodes in network namespaces.
   */
  async startAgent(suffix = `n${this.nodes.length + 1}`, extraArgs = HOST_AGENT_ARGS): Promise<string> {
    const nodeName = `${this.id}-${suffix}`;
    const port = await freePort();
    const joined = existsSync(join(this.dir, `agent-${suffix}`, 'node-token'));
    const joinFlags = joined ? [] : await this.joinArgs();
    this.spawn(`agent-${suffix}`, [
      'agent',
      '--master',
      this.url,
      '--node-name',
      nodeName,
      '--node-ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      join(this.dir, `agent-${suffix}`),
      ...joinFlags,
      ...extraArgs,
    ]);
    this.nodes.push(nodeName);
    await waitFor(`node ${nodeName} Ready`, async () => {
      const node = await this.getJson(`/api/v1/nodes/${nodeName}`);
      return node?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
    });
    return nodeName;
  }

  spawn(name: string, args: string[]): ChildProcess {
    const logFile = join(this.dir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    // Daemons run with the node flags their launchers give them (scripts/up.sh, `skiff lab`).
    const nodeFlags = args[0] === 'agent' ? AGENT_NODE_FLAGS : [];
    const child = spawn(process.execPath, [...nodeFlags, CLI, ...args], {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, SKIFF_LOG_LEVEL: process.env.SKIFF_LOG_LEVEL ?? 'debug' },
    });
    this.daemons.push({ name, child, logFile });
    return child;
  }

  daemon(name: string): ChildProcess {
    const d = [...this.daemons].reverse().find((x) => x.name === name);
    if (!d) throw new Error(`no daemon ${name}`);
    return d.child;
  }

  /** Stops one daemon: SIGTERM (graceful) or SIGKILL, and waits for it to exit. */
  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.daemon(name);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  async getJson(path: string): Promise<any> {
    const res = await this.fetch(path);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }

  kubectl(args: string[], input?: string): Promise<RunResult> {
    return run(KUBECTL, ['--cache-dir', this.kubeCache, ...args], {
      env: { KUBECONFIG: this.kubeconfig },
      input,
    });
  }

  skiff(args: string[], input?: string): Promise<RunResult> {
    return run(process.execPath, [CLI, '--kubeconfig', this.kubeconfig, ...args], { input });
  }

  /** Kills every daemon this cluster started, removes the containers of its nodes and its temp dir. */
  async destroy(): Promise<void> {
    this.client?.close();
    await Promise.all(this.daemons.map((d) => this.stop(d.name, 'SIGTERM').catch(() => undefined)));
    for (const node of this.nodes) {
      const ids = await run('docker', ['ps', '-aq', '--filter', `label=io.skiff.node=${node}`]);
      const list = ids.stdout.split('\n').filter(Boolean);
      if (list.length) await run('docker', ['rm', '-f', ...list]);
    }
    if (process.env.SKIFF_KEEP_E2E) return;
    rmSync(this.dir, { recursive: true, force: true });
  }

  logs(): string {
    return this.daemons.map((d) => `--- ${d.name}: ${d.logFile}`).join('\n');
  }
}

/** A client for the server, CA and token of a kubeconfig (a lab's, or a master's admin.kubeconfig). */
export function kubeconfigClient(path: string, opts: { requestTimeoutMs?: number } = {}): HttpApiClient {
  const c = loadKubeconfig([{ path, text: readFileSync(path, 'utf8') }], () => undefined);
  if (!c.server) throw new Error(`${path} names no server`);
  return new HttpApiClient({ server: c.server, token: c.token, ca: c.caPem, ...opts });
}

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (scripts/test.sh does)`);
}
