#!/usr/bin/env bash
# One command to a working one-machine cluster: installs what is missing (docker.io, busybox-static, npm
# dependencies), starts dockerd if needed, builds skiff and the local images, starts `skiff master` (embedded
# SQLite store) and `skiff agent` for this machine (pod network, service proxy, cluster DNS), deploys the sample
# two-tier app and tells you how to reach it.
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
"${SKIFF[@]}" apply -f "$SKIFF_ROOT/examples/app/" -f "$SKIFF_ROOT/examples/hello-pod.yaml" \
  -f "$SKIFF_ROOT/examples/two-container-pod.yaml"
"${SKIFF[@]}" rollout status deployment/backend --timeout 120s
"${SKIFF[@]}" rollout status deployment/frontend --timeout 120s
NODE_IP=$("${SKIFF[@]}" get node "$NODE_NAME" -o json | node -e \
  'const n=JSON.parse(require("fs").readFileSync(0));console.log(n.status.addresses.find(a=>a.type==="InternalIP").address)')
URL="http://$NODE_IP:30080/"
wait_for 60 "the frontend at $URL" curl -sf --max-time 3 "$URL"
"${SKIFF[@]}" get pods,services -o wide
cat <<TXT

skiff is up: master $SERVER, node $NODE_NAME ($NODE_IP).
The sample app (examples/app): a frontend Deployment calls the backend Service by name; 3 backend pods answer.
  curl $URL
$(curl -s --max-time 3 "$URL" | sed 's/^/    /')
  skiff get pods -o wide                  # the skiff CLI
  export KUBECONFIG=$SKIFF_VAR/kubeconfig  # stock kubectl works too:
  kubectl get deploy,svc,ep; kubectl describe svc backend
  kubectl scale deployment/backend --replicas=5
  skiff logs two-containers -c writer     # two containers sharing localhost and an emptyDir
Logs: $SKIFF_LOG/{master,agent}.log   Stop: scripts/down.sh
TXT
