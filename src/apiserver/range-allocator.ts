// A bitmap over the slots 0..size-1 of a finite range (Kubernetes' allocator.AllocationBitmap): the Service
// ClusterIP and NodePort allocators are this plus the mapping between slots and addresses or port numbers.
// Dynamic allocation follows Kubernetes' randomScanStrategyWithOffset (KEP-3070): a random free slot from the
// upper part of the range first, so the lower `reservedLow` slots stay free for users who ask for a fixed
// address or port (the `kubernetes` Service's 10.96.0.1, a DNS service's 10.96.0.10).
import { randomInt } from 'node:crypto';

export interface RangeAllocatorOptions {
  /** Slots kept for static requests: dynamic allocation uses them only when the rest is full. */
  reservedLow?: number;
  /** A uniform integer in [0, n); injectable so tests can steer the scan. */
  random?: (n: number) => number;
}

export class RangeAllocator {
  readonly size: number;
  private readonly reservedLow: number;
  private readonly random: (n: number) => number;
  private readonly bits: Uint32Array;
  private count = 0;

  constructor(size: number, opts: RangeAllocatorOptions = {}) {
    if (!Number.isInteger(size) || size < 0)
      throw new RangeError(`range size must be a whole number, got ${size}`);
    this.size = size;
    this.reservedLow = Math.min(Math.max(0, opts.reservedLow ?? 0), size);
    this.random = opts.random ?? randomInt;
    this.bits = new Uint32Array(Math.ceil(size / 32));
  }

  /** How many slots are taken. */
  get used(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return this.inRange(slot) && (this.bits[slot >>> 5] & (1 << (slot & 31))) !== 0;
  }

  /** Takes `slot`; false when it is outside the range or already taken. */
  allocate(slot: number): boolean {
    if (!this.inRange(slot) || this.has(slot)) return false;
    this.bits[slot >>> 5] |= 1 << (slot & 31);
    this.count++;
    return true;
  }

  /** Takes a random free slot (upper part first); undefined when the range is full. */
  allocateNext(): number | undefined {
    if (this.count >= this.size) return undefined;
    const slot = this.scan(this.reservedLow, this.size - this.reservedLow) ?? this.scan(0, this.reservedLow);
    if (slot !== undefined) this.allocate(slot);
    return slot;
  }

  /** Frees `slot`; false when it was not taken. */
  release(slot: number): boolean {
    if (!this.has(slot)) return false;
    this.bits[slot >>> 5] &= ~(1 << (slot & 31));
    this.count--;
    return true;
  }

  /** The first free slot of [from, from+length), starting the circular scan at a random point. */
  private scan(from: number, length: number): number | undefined {
    if (length <= 0) return undefined;
    const start = this.random(length);
    for (let i = 0; i < length; i++) {
      const slot = from + ((start + i) % length);
      if (!this.has(slot)) return slot;
    }
    return undefined;
  }

  private inRange(slot: number): boolean {
    return Number.isInteger(slot) && slot >= 0 && slot < this.size;
  }
}
