#!/usr/bin/env bash
# One command to a working one-machine cluster: installs what is missing (docker.io, busybox-static, npm
# dependencies), starts dockerd if needed, builds skiff and the local images, starts `skiff master` (embedded
# SQLite store) and `skiff agent` for this machine, deploys the sample app and tells you how to reach it.
# Running it again is safe: what already runs is left alone. Stop everything with scripts/down.sh.
source "$(dirname "$0")/lib.sh"
require_root
require_node
ensure_packages
ensure_dockerd
ensure_npm
build
ensure_images

LISTEN=${SKIFF_LISTEN:-127.0.0.1:6443}
SERVER="http://$LISTEN"
NODE_NAME=${SKIFF_NODE_NAME:-$(hostname | tr '[:upper:]' '[:lower:]')}
SKIFF=(node "$SKIFF_ROOT/dist/src/cli/main.js" --server "$SERVER")
mkdir -p "$SKIFF_VAR" "$SKIFF_RUN" "$SKIFF_LOG"

running() { [ -f "$SKIFF_RUN/$1.pid" ] && kill -0 "$(cat "$SKIFF_RUN/$1.pid")" 2>/dev/null; }

start() { # start NAME ARGS...: a daemon in its own session, logging to $SKIFF_LOG/NAME.log
  local name=$1; shift
  if running "$name"; then say "$name already running (pid $(cat "$SKIFF_RUN/$name.pid"))"; return; fi
  say "starting skiff $name (log: $SKIFF_LOG/$name.log)"
  setsid node "$SKIFF_ROOT/dist/src/cli/main.js" "$name" "$@" >>"$SKIFF_LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$SKIFF_RUN/$name.pid"
}

wait_for() { # wait_for SECONDS WHAT COMMAND...
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "timed out waiting for $what (logs in $SKIFF_LOG)"
}

start master --listen "$LISTEN" --data-dir "$SKIFF_VAR/master"
wait_for 30 "the API server at $SERVER" curl -sf "$SERVER/readyz"
start agent --master "$SERVER" --node-name "$NODE_NAME" --data-dir "$SKIFF_VAR/agent"
node_ready() {
  "${SKIFF[@]}" get node "$NODE_NAME" -o json | node -e \
    'const n=JSON.parse(require("fs").readFileSync(0));process.exit((n.status?.conditions??[]).some(c=>c.type==="Ready"&&c.status==="True")?0:1)'
}
wait_for 60 "node $NODE_NAME to be Ready" node_ready

# The `skiff` command on PATH, and a kubeconfig for stock kubectl.
(cd "$SKIFF_ROOT" && npm link --no-audit --no-fund --loglevel=error >/dev/null 2>&1) || true
"${SKIFF[@]}" kubeconfig --master "$SERVER" >"$SKIFF_VAR/kubeconfig"
if [ ! -e "$HOME/.kube/config" ]; then mkdir -p "$HOME/.kube" && cp "$SKIFF_VAR/kubeconfig" "$HOME/.kube/config"; fi

say "deploying the sample app (examples/)"
"${SKIFF[@]}" apply -f "$SKIFF_ROOT/examples/hello-pod.yaml" -f "$SKIFF_ROOT/examples/two-container-pod.yaml"
pod_running() {
  "${SKIFF[@]}" get pod hello -o json | node -e \
    'const p=JSON.parse(require("fs").readFileSync(0));process.exit(p.status?.phase==="Running"&&p.status.podIP?0:1)'
}
wait_for 90 "pod hello to be Running" pod_running
IP=$("${SKIFF[@]}" get pod hello -o json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).status.podIP)')
"${SKIFF[@]}" get pods -o wide
cat <<TXT

skiff is up: master $SERVER, node $NODE_NAME.
  skiff get pods -o wide                  # the skiff CLI
  export KUBECONFIG=$SKIFF_VAR/kubeconfig  # stock kubectl works too:
  kubectl get nodes; kubectl describe pod hello
  curl http://$IP:8080/                   # the sample microservice answers:
    $(curl -s --max-time 3 "http://$IP:8080/" || echo "(not answering yet)")
  skiff logs two-containers -c writer     # two containers sharing localhost and an emptyDir
Logs: $SKIFF_LOG/{master,agent}.log   Stop: scripts/down.sh
TXT
