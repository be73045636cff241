# Shared set-up steps for scripts/up.sh and scripts/test.sh: each step checks first and does only what is missing,
# so running it again is cheap. Needs root (apt-get, dockerd, iptables).
set -euo pipefail

SKIFF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SKIFF_VAR=${SKIFF_VAR:-/var/lib/skiff}
SKIFF_RUN=${SKIFF_RUN:-/run/skiff}
SKIFF_LOG=${SKIFF_LOG:-/var/log/skiff}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" = 0 ] || die "run as root (sudo $0): skiff installs packages, starts dockerd and manages iptables"
}

require_node() {
  command -v node >/dev/null || die "Node.js >= 20 is required (https://nodejs.org, or: curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs)"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js >= 20 is required, found $(node --version)"
}

# Debian/Ubuntu packages: the Docker engine, iptables, iproute2, and busybox-static (the root of every local image).
ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v ip >/dev/null || missing+=(iproute2)
  dpkg -s busybox-static >/dev/null 2>&1 && [ -x /bin/busybox ] \
    || missing+=(busybox-static)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

docker_up() { docker version >/dev/null 2>&1; }

# Start the Docker engine if it is not answering: systemd where it runs, else dockerd in the background.
ensure_dockerd() {
  docker_up && return 0
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    say "starting docker (systemctl)"
    systemctl enable --now docker >/dev/null 2>&1 || systemctl start docker
  else
    say "starting dockerd (no systemd here; log in $SKIFF_LOG/dockerd.log)"
    mkdir -p "$SKIFF_LOG"
    (setsid dockerd >>"$SKIFF_LOG/dockerd.log" 2>&1 </dev/null &)
  fi
  for _ in $(seq 1 100); do docker_up && return 0; sleep 0.2; done
  die "dockerd did not come up; see $SKIFF_LOG/dockerd.log"
}

# npm dependencies (better-sqlite3 compiles from source, about a minute the first time) and the TypeScript build.
ensure_npm() {
  cd "$SKIFF_ROOT"
  local stamp=node_modules/.skiff-lock-hash
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" >"$stamp"
  fi
}

build() {
  cd "$SKIFF_ROOT"
  say "building (tsc)"
  npm run --silent build
}

ensure_images() {
  say "building local images"
  "$SKIFF_ROOT/scripts/images.sh"
}
