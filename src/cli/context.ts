// Everything a command touches outside itself, passed in so commands can be run in tests with captured streams,
// a fake client and a fake clock: the three standard streams, the environment, the clock, the resource catalog,
// how to reach the API server, Ctrl-C, and the two daemons (loaded only by `skiff master` / `skiff agent`).
import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ApiClient } from '../client/api-client.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ResourceCatalog } from './resources.js';
import type { AgentOptions, CleanupOptions } from '../../agent/agent.js';
import type { MasterOptions } from '../master.js';

export type Query = Record<string, string | string[] | undefined>;

/** The typed client plus the raw calls the CLI needs: Tables, log streams, exec websockets. */
export interface CliClient extends ApiClient {
  rawRequest(
    method: string,
    path: string,
    opts?: { query?: Query; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>;
  /** A streaming GET; rejects with ApiError on a non-2xx answer. */
  stream(path: string, query: Query): Promise<IncomingMessage | Readable>;
  websocket(path: string, query: Query, protocols: string[]): WebSocket;
  /** Releases idle connections so the process can exit. */
  close?(): void;
}

export interface OutStream extends Writable {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface InStream extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

// The daemons' own option types: the CLI only parses flags into them.
export type { AgentOptions, CleanupOptions } from '../../agent/agent.js';
export type { MasterOptions, RunningMaster as MasterHandle } from '../master.js';

export interface Daemons {
  startMaster(opts: MasterOptions): Promise<{ url: string; stop(): Promise<void> }>;
  runAgent(opts: AgentOptions): Promise<{ stop(): Promise<void> }>;
  cleanupAgent(opts: CleanupOptions): Promise<void>;
}

export interface CliContext {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Record<string, string | undefined>;
  clock: Clock;
  catalog: ResourceCatalog;
  connect(opts: ConnectOptions): CliClient;
  /** A file's text, or undefined when it cannot be read (kubeconfigs, CA files). */
  readFile(path: string): string | undefined;
  /** Runs `handler` on SIGINT/SIGTERM; returns a function that removes it. */
  onInterrupt(handler: () => void): () => void;
  daemons: Daemons;
  createLogger(level?: string): Logger;
  hostname(): string;
  /** skiff's own version, e.g. `v0.1.0`. */
  version: string;
}

/** How to reach the API server (see client-config.ts for where each value comes from). */
export interface ConnectOptions {
  server: string;
  token?: string;
  /** PEM of the CA that signed the server's certificate. */
  ca?: string;
  insecureSkipTLSVerify?: boolean;
}

/** What every API command gets from the global options. */
export interface Session {
  ctx: CliContext;
  client: CliClient;
  server: string;
  namespace: string;
  /** True when -n was given on the command line (apply then refuses objects of another namespace). */
  namespaceExplicit: boolean;
}

export { DEFAULT_SERVER } from './client-config.js';
