#!/usr/bin/env bash
# Runs skiff's benchmarks (issue 7): installs what they need (Debian packages), builds skiff, then runs
# dist/bench/main.js, which writes bench/results/latest.json and BENCHMARKS.md.
#
#   sudo bench/run.sh                     # every benchmark, the issue's sizes (about 20 minutes)
#   sudo bench/run.sh pod-startup dns     # some of them
#   sudo bench/run.sh --profile scheduler # under the CPU profiler (summaries into BENCHMARKS.md)
#   BENCH_PODS=10 BENCH_SCHED_PODS=1000 sudo -E bench/run.sh   # smaller sizes (see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/run.sh needs root (network namespaces, a second dockerd, iptables); try: sudo npm run bench" >&2
  exit 2
fi

need=()
command -v dnsmasq >/dev/null || need+=(dnsmasq-base) # the binary only: no system service is started
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v dockerd >/dev/null || need+=(docker.io)
command -v iptables-restore >/dev/null || need+=(iptables)
command -v nsenter >/dev/null || need+=(util-linux)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if ! docker info >/dev/null 2>&1; then
  echo "the Docker engine is not running (start it, or run scripts/up.sh once)" >&2
  exit 2
fi
[ -d node_modules ] || npm ci
# The sample images (skiff/busybox:1 among them) that the lab loads into its nodes.
bash scripts/images.sh >/dev/null
if ! npm run --silent build; then
  echo "warning: the TypeScript build reported errors (above); running what it emitted" >&2
fi
exec node dist/bench/main.js "$@"
