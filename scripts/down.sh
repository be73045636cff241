#!/usr/bin/env bash
# Stops what scripts/up.sh started: the agent (which removes its iptables rules and routes), the master, the pod
# containers and the pod network. Keeps the cluster state in /var/lib/skiff (delete it with `--purge`) and leaves
# dockerd running.
source "$(dirname "$0")/lib.sh"
require_root
for name in agent master; do
  pidfile="$SKIFF_RUN/$name.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "stopping skiff $name"
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -f "$pidfile"
done
if docker_up; then
  ids=$(docker ps -aq --filter label=io.skiff.node)
  [ -z "$ids" ] || { say "removing pod containers"; docker rm -f $ids >/dev/null; }
  docker network rm skiff >/dev/null 2>&1 || true
fi
if [ "${1:-}" = --purge ]; then say "deleting $SKIFF_VAR"; rm -rf "$SKIFF_VAR"; fi
