// The CPU profiles of a profiled bench lab: master and agent are stopped cleanly (SIGTERM) so `--cpu-prof` writes
// them, then each is summarized.
import type { BenchLab } from './bench-lab.js';
import { profileOfPid } from './bench-lab.js';
import { waitFor } from './proc.js';
import { summarizeProfileFile, type ProfileSummary } from './profile.js';

export async function benchLabProfiles(lab: BenchLab, dir: string): Promise<ProfileSummary[]> {
  const agent = lab.agentPid();
  const master = lab.masterPid();
  await lab.lab.stopAgent(1);
  await lab.lab.stopMaster();
  const out: ProfileSummary[] = [];
  for (const [what, pid] of [
    ['agent', agent],
    ['master', master],
  ] as const) {
    const file = await waitFor(`the ${what}'s CPU profile`, () => profileOfPid(dir, pid), 20_000, 200).catch(
      () => undefined,
    );
    if (file) out.push(summarizeProfileFile(file, `${what} (pid ${pid})`));
  }
  return out;
}
