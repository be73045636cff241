// Summaries of V8 CPU profiles (`node --cpu-prof` files, or the inspector's Profiler.stop result): where the
// samples landed by function (self time), which of skiff's own functions hold the most time including what they
// call (inclusive), and self time by area (a skiff folder, an npm package, Node internals, GC). Idle time is left
// out of the percentages: they say what the busy CPU did.
import { readFileSync } from 'node:fs';
import { round } from './stats.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  name: string;
  /** Milliseconds of CPU. */
  ms: number;
  /** Share of the busy (non-idle) time, %. */
  pct: number;
}

export interface ProfileSummary {
  process: string;
  /** Wall time the profile covers, s. */
  wallSeconds: number;
  /** Non-idle sampled time, s (≈ CPU time of the main thread). */
  busySeconds: number;
  topSelf: ProfileEntry[];
  topInclusive: ProfileEntry[];
  byArea: ProfileEntry[];
}

/** A readable place for a script URL: `src/store/sqlite-store.ts`, `node_modules/express/…`, `node:internal/…`. */
export function shortUrl(url: string): string {
  const dist = /\/dist\/((?:src|agent|bench|test)\/.*)\.js$/.exec(url);
  if (dist) return `${dist[1]}.ts`;
  const mod = /\/node_modules\/(.*)$/.exec(url);
  if (mod) return mod[1];
  return url.replace(/^file:\/\//, '');
}

export function areaOf(frame: CallFrame): string | undefined {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return undefined;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8/native (program)';
  if (!url) return 'native/builtin';
  const dist = /\/dist\/(src|agent|bench|test)\/([^/]+)\//.exec(url);
  if (dist) return dist[1] === 'bench' ? 'bench (load generator)' : `${dist[1]}/${dist[2]}`;
  const distFile = /\/dist\/(src|agent)\/[^/]+\.js$/.exec(url);
  if (distFile) return `${distFile[1]}/*.ts`;
  const mod = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (mod) return `npm:${mod[1]}`;
  const internal = /^node:(internal\/[^/]+|[^/]+)/.exec(url);
  if (internal) return `node:${internal[1]}`;
  return 'other';
}

function keyOf(frame: CallFrame): string {
  const fn = frame.functionName || '(anonymous)';
  if (!frame.url) return fn;
  return `${fn} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function top(map: Map<string, number>, busyUs: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: round(us / 1000, 0), pct: round((100 * us) / busyUs, 1) }));
}

const isSkiffCode = (frame: CallFrame) => /\/dist\/(src|agent)\//.test(frame.url);

export function summarizeProfile(profile: CpuProfile, processName: string, n = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  const callerWithUrl = (id: number): CallFrame | undefined => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const frame = byId.get(p)!.callFrame;
      if (frame.url) return frame;
    }
    return undefined;
  };
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the gap to the next sample (the last one gets the mean gap, 0 when alone).
    const us = deltas[i + 1] ?? 0;
    const leaf = byId.get(samples[i]);
    if (!leaf || us <= 0) continue;
    let area = areaOf(leaf.callFrame);
    if (area === undefined) continue;
    let k = keyOf(leaf.callFrame);
    if (!leaf.callFrame.url && leaf.callFrame.functionName && !leaf.callFrame.functionName.startsWith('(')) {
      // A native or builtin function (JSON.stringify, a better-sqlite3 statement's run(), …): name its caller,
      // which says what it was doing (a store commit blocked in fsync shows as `run` called from commit).
      const caller = callerWithUrl(leaf.id);
      if (caller) {
        area = `native ← ${areaOf(caller) ?? 'other'}`;
        k = `${k} [native] ← ${keyOf(caller)}`;
      }
    }
    busy += us;
    areas.set(area, (areas.get(area) ?? 0) + us);
    self.set(k, (self.get(k) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!isSkiffCode(frame)) continue;
      const fk = keyOf(frame);
      if (seen.has(fk)) continue; // recursion counts once
      seen.add(fk);
      inclusive.set(fk, (inclusive.get(fk) ?? 0) + us);
    }
  }
  return {
    process: processName,
    wallSeconds: round((profile.endTime - profile.startTime) / 1e6, 1),
    busySeconds: round(busy / 1e6, 1),
    topSelf: top(self, busy, n),
    topInclusive: top(inclusive, busy, n),
    byArea: top(areas, busy, n),
  };
}

export function summarizeProfileFile(file: string, processName: string, n = 12): ProfileSummary {
  return summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, processName, n);
}
