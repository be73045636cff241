// A workaround for iptables-nft's restore cost with many chains. For `--noflush`, iptables-nft (1.8.x, nft-cache.c)
// fetches only the chains a batch names: every command adds its chain and jump target to a *sorted linked list*
// (cache_chain_list_insert, a linear walk with strcmp), so a batch costs O(lines × chains) before anything reaches
// the kernel: 1,000 services × 3 endpoints (4,000 chains) took ~1.3 s, 5,000 services ~20 s, 4,000 alone ~90 s
// (perf: ~80% of the time in that walk and its strcmp). A command without a chain makes it fetch the whole table
// instead (`all_chains`) and skip the list for the rest of the batch; the only harmless one is a listing, so a
// large table section gets `-S` as its first command (its output is discarded). That costs one read of the
// table's rules, so small sections (a partial sync, the filter table) are left as they are.
export const WHOLE_TABLE_MIN_CHAINS = 500;

/** The batch with `-S` after the header of each table section that declares at least `minChains` chains. */
export function withWholeTableCache(batch: string, minChains = WHOLE_TABLE_MIN_CHAINS): string {
  const lines = batch.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    if (!lines[i].startsWith('*')) continue;
    let declared = 0;
    for (let j = i + 1; j < lines.length && lines[j] !== 'COMMIT'; j++)
      if (lines[j].startsWith(':')) declared++;
    if (declared >= minChains) out.push('-S');
  }
  return out.join('\n');
}

/** Whether `iptables-restore --version` output names the nf_tables backend (the legacy one has no such list). */
export function isNftBackend(versionOutput: string): boolean {
  return versionOutput.includes('nf_tables');
}
