// The node (V8) flags the agent daemon runs with. Every launcher skiff ships puts them on the agent's command line
// (scripts/up.sh, `skiff lab`, the test harness); an agent started by hand takes them through NODE_OPTIONS (README,
// "Joining other hosts"). They are start-up flags: V8 sizes its heap when the process starts, so the agent's code
// cannot set them itself.
//
// --max-semi-space-size=2: V8 lets the young generation grow to two 16 MiB semi-spaces, which a long-running
// process keeps resident once it has used them. The agent allocates little and keeps little, so 2 MiB semi-spaces
// cost it next to nothing and take ~20 MiB off its resident memory: peak RSS with 100 pods 119-120 → 99-100 MiB
// (BENCHMARKS.md, footprint). The master keeps V8's default: there the same flag cost 10-19% more CPU per GET.
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
