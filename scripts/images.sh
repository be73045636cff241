#!/usr/bin/env bash
# Builds skiff's local images offline (no registry is needed): every image is Debian's static busybox plus project
# files, imported with `docker import`. An image is rebuilt only when its inputs changed (label io.skiff.source-hash).
#   skiff/busybox:1          busybox with all applets (sh, wget, httpd, nc, ...)
#   skiff/hello:1, :2        the sample microservice (examples/hello): answers with pod name, pod IP and version
#   skiff/frontend:1         the sample app's frontend (examples/frontend): calls the backend Service by name
# The pause image (skiff/pause:3.10) is built by the agent itself when it is missing.
# Usage: scripts/images.sh [-H unix:///path/docker.sock]
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=(docker "$@")
BUSYBOX=/bin/busybox

rootfs() { # rootfs DIR: busybox, applet links, passwd/group, tmp
  local d=$1
  mkdir -p "$d/bin" "$d/etc" "$d/tmp" "$d/root"
  chmod 1777 "$d/tmp"
  cp "$BUSYBOX" "$d/bin/busybox"
  for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -sf busybox "$d/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$d/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$d/etc/group"
}

build() { # build TAG HASH_INPUTS... -- CHANGES...
  local tag=$1; shift
  local inputs=() changes=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do inputs+=("$1"); shift; done
  shift
  changes=("$@")
  local hash
  hash=$( (sha256sum "$BUSYBOX"; [ ${#inputs[@]} -eq 0 ] || find "${inputs[@]}" -type f -print0 | sort -z | xargs -0 sha256sum;
    printf '%s\n' "${changes[@]}") | sha256sum | cut -c1-16)
  local have
  have=$("${DOCKER[@]}" image inspect "$tag" --format '{{index .Config.Labels "io.skiff.source-hash"}}' 2>/dev/null || true)
  if [ "$have" = "$hash" ]; then echo "  $tag up to date"; return; fi
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  rootfs "$tmp"
  for f in "${inputs[@]}"; do
    [ -d "$f" ] && cp -a "$f/." "$tmp/"
  done
  local args=()
  for c in "${changes[@]}"; do args+=(-c "$c"); done
  tar -C "$tmp" --owner=0 --group=0 -c . | "${DOCKER[@]}" import "${args[@]}" -c "LABEL io.skiff.source-hash=$hash" - "$tag" >/dev/null
  echo "  $tag built"
}

build skiff/busybox:1 -- 'ENV PATH=/bin' 'CMD ["sh"]'
for v in 1 2; do
  build "skiff/hello:$v" examples/hello/rootfs -- 'ENV PATH=/bin' "ENV VERSION=v$v" 'EXPOSE 8080' \
    'CMD ["httpd", "-f", "-v", "-p", "8080", "-h", "/www"]'
done
build skiff/frontend:1 examples/frontend/rootfs -- 'ENV PATH=/bin' 'ENV VERSION=v1' 'EXPOSE 8080' \
  'CMD ["httpd", "-f", "-v", "-p", "8080", "-h", "/www"]'
