// GET /version. kubectl's gcloud dispatcher picks the kubectl binary by `minor`, so it must say 32
// (KUBECTL-API.md §0, §2).
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

export function versionInfo(arch: string = process.arch) {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-skiff',
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23',
    compiler: 'gc',
    platform: `linux/${GO_ARCH[arch] ?? arch}`,
  };
}
