// An in-memory routing table behind the Routes interface (agent/network/routes.ts), for the network agent's
// tests. Like the ip adapter it keys routes by destination (`ip route replace` semantics), treats deleting a
// missing route as done, and records every call; failures can be injected per destination.
import type { Route, Routes } from '../../agent/network/routes.js';
import { parseIpv4Cidr } from '../../src/controllers/nodeipam/cidr.js';

const order = (r: Route) => {
  const n = parseIpv4Cidr(r.dst);
  return n ? n.base * 64 + n.prefix : 0;
};

export class FakeRoutes implements Routes {
  /** `replace <dst>` / `delete <dst>` / `list`, in order. */
  readonly calls: string[] = [];
  private readonly table = new Map<string, Route>();
  private readonly failing = new Map<string, string>();

  /** Routes in the table, in address order of their destinations. */
  routes(): Route[] {
    return [...this.table.values()].sort((a, b) => order(a) - order(b));
  }

  get(dst: string): Route | undefined {
    const r = this.table.get(dst);
    return r && { ...r };
  }

  /** Puts a route in as if someone else (or an earlier agent) had. */
  seed(...routes: Route[]): void {
    for (const r of routes) this.table.set(r.dst, { ...r });
  }

  /** Removes a route behind the agent's back (drift). */
  drop(dst: string): void {
    this.table.delete(dst);
  }

  /** replace/delete of this destination fail with `message` until cleared (message undefined). */
  failFor(dst: string, message: string | undefined): void {
    if (message === undefined) this.failing.delete(dst);
    else this.failing.set(dst, message);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  async list(): Promise<Route[]> {
    this.calls.push('list');
    return this.routes().map((r) => ({ ...r }));
  }

  async replace(route: Route): Promise<void> {
    this.calls.push(`replace ${route.dst}`);
    this.check(route.dst);
    this.table.set(route.dst, { ...route });
  }

  async delete(route: Route): Promise<void> {
    this.calls.push(`delete ${route.dst}`);
    this.check(route.dst);
    this.table.delete(route.dst);
  }

  private check(dst: string): void {
    const msg = this.failing.get(dst);
    if (msg) throw new Error(msg);
  }
}
