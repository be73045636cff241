// The API server's listen addresses (--listen, --insecure-listen): parsed and checked here, apart from server.ts, so
// the CLI can validate its flags without loading the API server (express, protobufjs, the PKI) into every command,
// `skiff agent` included.
import ipaddr from 'ipaddr.js';
import { isIpAddress } from './auth/sans.js';

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen.trim());
  if (!m) throw new Error(`listen address must be host:port, got ${JSON.stringify(listen)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port out of range in ${JSON.stringify(listen)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Refuses an --insecure-listen that is not loopback: plain HTTP skips authentication and carries no secrets. */
export function checkInsecureListen(listen: string): { host: string; port: number } {
  const parsed = parseListen(listen);
  const loopback =
    parsed.host === 'localhost' ||
    (isIpAddress(parsed.host) && ipaddr.parse(parsed.host).range() === 'loopback');
  if (!loopback) {
    throw new Error(
      `--insecure-listen must be a loopback address such as 127.0.0.1:8080 (plain HTTP acts as admin without ` +
        `credentials), got ${JSON.stringify(listen)}`,
    );
  }
  return parsed;
}
