#!/usr/bin/env bash
# Runs every test the way CI does, from a fresh clone: installs what is missing (docker.io, busybox-static, npm
# dependencies), starts dockerd if needed, builds skiff and the local images, then lint, format check, typecheck
# (the build) and the whole vitest suite (unit tests, then integration tests against real Docker and stock kubectl).
# Extra arguments go to vitest, e.g. scripts/test.sh --project unit
source "$(dirname "$0")/lib.sh"
require_root
require_node
ensure_packages
ensure_dockerd
ensure_npm
build
ensure_images
cd "$SKIFF_ROOT"
say "lint"
npx eslint .
say "format check"
npx prettier --check . >/dev/null || { npx prettier --check .; die "formatting: run npm run format"; }
say "tests"
exec npx vitest run "$@"
