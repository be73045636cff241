// NodePorts out of the node port range (kube-apiserver --service-node-port-range, Kubernetes'
// pkg/registry/core/service/portallocator). Every NodePort or LoadBalancer Service port gets one; a port asked
// for must lie in the range and be free. Errors read as Kubernetes' do.
import { RangeAllocator } from './range-allocator.js';

export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

export interface PortRange {
  base: number;
  size: number;
}

/** "30000-32767" (inclusive), "30000+2767" (base+extra) or a single "30000". Throws on anything else. */
export function parsePortRange(text: string): PortRange {
  const value = typeof text === 'string' ? text.trim() : '';
  const m = /^(\d{1,5})(?:([-+])(\d{1,5}))?$/.exec(value);
  if (!m) throw new Error(`port range must look like 30000-32767, got ${JSON.stringify(text)}`);
  const low = Number(m[1]);
  const high = m[2] === '-' ? Number(m[3]) : m[2] === '+' ? low + Number(m[3]) : low;
  if (low < 1 || high > 65535)
    throw new Error(`port range must lie within 1-65535, got ${JSON.stringify(text)}`);
  if (high < low) throw new Error(`end port cannot be less than start port: ${value}`);
  return { base: low, size: high - low + 1 };
}

export function formatPortRange(range: PortRange): string {
  return `${range.base}-${range.base + range.size - 1}`;
}

/** Ports dynamic allocation leaves for static requests: min(max(16, size/32), 128) (calculateRangeOffset). */
export function staticPortBandSize(rangeSize: number): number {
  if (rangeSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(rangeSize / 32)), 128);
}

export class NodePortAllocator {
  readonly range: PortRange;
  private readonly slots: RangeAllocator;

  constructor(range: string = DEFAULT_NODE_PORT_RANGE, opts: { random?: (n: number) => number } = {}) {
    this.range = parsePortRange(range);
    this.slots = new RangeAllocator(this.range.size, {
      reservedLow: staticPortBandSize(this.range.size),
      random: opts.random,
    });
  }

  get used(): number {
    return this.slots.used;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.range.base && port < this.range.base + this.range.size;
  }

  has(port: number): boolean {
    return this.contains(port) && this.slots.has(port - this.range.base);
  }

  /** Takes `port`. Returns why it cannot be taken, in Kubernetes' words, or undefined on success. */
  allocate(port: number): string | undefined {
    if (!this.contains(port)) {
      return `provided port is not in the valid range. The range of valid ports is ${formatPortRange(this.range)}`;
    }
    return this.slots.allocate(port - this.range.base) ? undefined : 'provided port is already allocated';
  }

  /** Takes a random free port; undefined when the range is full. */
  allocateNext(): number | undefined {
    const slot = this.slots.allocateNext();
    return slot === undefined ? undefined : this.range.base + slot;
  }

  /** Frees `port`; false when it was not taken. */
  release(port: number): boolean {
    return this.contains(port) && this.slots.release(port - this.range.base);
  }
}
