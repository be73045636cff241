// CPU profile of part of this process (the in-process benchmarks) through the inspector, summarized.
import { Session } from 'node:inspector/promises';
import { summarizeProfile, type CpuProfile, type ProfileSummary } from './profile.js';

export async function profiled<T>(
  enabled: boolean,
  label: string,
  fn: () => Promise<T>,
): Promise<{ result: T; summary?: ProfileSummary }> {
  if (!enabled) return { result: await fn() };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  let profile: CpuProfile | undefined;
  let result: T;
  try {
    result = await fn();
  } finally {
    profile = ((await session.post('Profiler.stop')) as { profile: CpuProfile }).profile;
    session.disconnect();
  }
  return { result, summary: summarizeProfile(profile, label) };
}
