#!/usr/bin/env bash
# One command to a working one-machine cluster: installs what is missing (docker.io, busybox-static, npm
# dependencies), starts dockerd if needed, builds skiff and the local images, starts `skiff master` (embedded
# SQLite store) and `skiff agent` for this machine (pod network, service proxy, cluster DNS), deploys the sample
# two-tier app and tells you how to reach it.
# Secure by default: the master serves HTTPS with its own CA and writes an admin credential
# ($SKIFF_VAR/master/admin.kubeconfig); the agent joins with a short-lived join token, pinning the CA by its hash;
# $SKIFF_VAR/kubeconfig (CA + admin token, 0600) is what kubectl and the skiff CLI use.
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
# Clients dial the listen address; one listening on every address is dialled on loopback (its certificate names it).
SERVER="https://${LISTEN/#0.0.0.0:/127.0.0.1:}"
NODE_NAME=${SKIFF_NODE_NAME:-$(hostname | tr '[:upper:]' '[:lower:]')}
ADMIN_KUBECONFIG="$SKIFF_VAR/master/admin.kubeconfig"
SKIFF=(node "$SKIFF_ROOT/dist/src/cli/main.js" --kubeconfig "$ADMIN_KUBECONFIG")
mkdir -p "$SKIFF_VAR" "$SKIFF_RUN" "$SKIFF_LOG"

running() { [ -f "$SKIFF_RUN/$1.pid" ] && kill -0 "$(cat "$SKIFF_RUN/$1.pid")" 2>/dev/null; }

start() { # start NAME ARGS...: a daemon in its own session, logging to $SKIFF_LOG/NAME.log
  local name=$1; shift
  if running "$name"; then say "$name already running (pid $(cat "$SKIFF_RUN/$name.pid"))"; return; fi
  say "starting skiff $name (log: $SKIFF_LOG/$name.log)"
  local flags=() # the agent's node flags, as in agent/node-flags.ts (a unit test keeps the two the same)
  if [ "$name" = agent ]; then flags=(--max-semi-space-size=2); fi
  setsid node "${flags[@]}" "$SKIFF_ROOT/dist/src/cli/main.js" "$name" "$@" >>"$SKIFF_LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$SKIFF_RUN/$name.pid"
}

wait_for() { # wait_for SECONDS WHAT COMMAND...
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "timed out waiting for $what (logs in $SKIFF_LOG)"
}

start master --listen "$LISTEN" --data-dir "$SKIFF_VAR/master"
# /readyz needs no credential; the CA to check it with exists once the master has started.
wait_for 30 "the API server at $SERVER" curl -sf --cacert "$SKIFF_VAR/master/pki/ca.crt" "$SERVER/readyz"
wait_for 30 "the admin credential $ADMIN_KUBECONFIG" "${SKIFF[@]}" get namespace default
JOIN=()
if [ ! -s "$SKIFF_VAR/agent/node-token" ]; then
  # kubeadm style: a join token that expires soon, and the CA's hash so the agent trusts only this master.
  read -r _ _ _ _ _ token _ hash <<<"$("${SKIFF[@]}" token create --join --ttl 10m --print-join-command)"
  JOIN=(--token "$token" --ca-cert-hash "$hash")
fi
start agent --master "$SERVER" --node-name "$NODE_NAME" --data-dir "$SKIFF_VAR/agent" "${JOIN[@]}"
node_ready() {
  "${SKIFF[@]}" get node "$NODE_NAME" -o json | node -e \
    'const n=JSON.parse(require("fs").readFileSync(0));process.exit((n.status?.conditions??[]).some(c=>c.type==="Ready"&&c.status==="True")?0:1)'
}
wait_for 60 "node $NODE_NAME to be Ready" node_ready

# The `skiff` command on PATH, and a kubeconfig (CA + admin token) for stock kubectl and the skiff CLI.
(cd "$SKIFF_ROOT" && npm link --no-audit --no-fund --loglevel=error >/dev/null 2>&1) || true
(umask 077 && "${SKIFF[@]}" kubeconfig --master "$SERVER" >"$SKIFF_VAR/kubeconfig")
# ~/.kube/config: created when missing, refreshed when it is one skiff wrote (its CA changes with a --purge).
if [ ! -e "$HOME/.kube/config" ] || grep -qx 'current-context: skiff' "$HOME/.kube/config"; then
  mkdir -p "$HOME/.kube" && install -m 600 "$SKIFF_VAR/kubeconfig" "$HOME/.kube/config"
fi

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
  skiff get pods -o wide                  # the skiff CLI (as root it reads ~/.kube/config or the master's)
  export KUBECONFIG=$SKIFF_VAR/kubeconfig  # stock kubectl works too, over HTTPS with the admin token:
  kubectl get deploy,svc,ep; kubectl describe svc backend
  skiff token create --role view          # a read-only token for someone else; skiff token list / revoke ID
  kubectl scale deployment/backend --replicas=5
  skiff logs two-containers -c writer     # two containers sharing localhost and an emptyDir
Logs: $SKIFF_LOG/{master,agent}.log   Stop: scripts/down.sh
TXT
