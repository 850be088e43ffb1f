#!/usr/bin/env bash
# cluster_run.sh - `smi-witness run --cluster` with only the API server
# scripted (tests/integration/fakecluster.c): behind it the lab's real pods
# (namespace smiw-lab), its HAProxy configured from the SMI objects and
# Gateway API routes applied to the scripted server, and two agents
# capturing with BPF as two nodes.
#
#  1. The SMI suites give the verdicts `run` gives in the lab: every suite
#     on the reference mesh, traffic-specs on ignore-method (three PASS,
#     the two methods the route does not allow FAIL); replay.sh
#     reproduces a cluster run's report byte for byte. So do three of the
#     Gateway API mesh tests (MeshBasic, MeshHTTPRouteMatching, a redirect)
#     on the reference mesh, and the redirect on route-redirect-host (its
#     two host redirects FAIL), its HTTPRoute rendered in v1beta1 as --api
#     asks. The lab's runs go on in labs of their own while the cluster's
#     do (most of either is waiting), and are compared at the end.
#  2. A run interrupted (SIGINT, SIGTERM) at any step - applying the sample
#     app, waiting for it, applying a policy or a route, sending traffic,
#     reading the agents, tearing down - leaves no object of ours in the
#     server's store; a run killed (SIGKILL) leaves them (a route too), and
#     the next run removes them first.
#  3. What the cluster must change stops the run with exit 4 and one line
#     naming the object: no agent on a pod's node, a sidecar missing, RBAC
#     denied, an SMI version not served (as --api asks, or not installed),
#     a route kind not served (not installed, or not in the version --api
#     asks),
#     the mesh's access control not the scenario's. Input the cluster target
#     cannot take (options of the lab, a pod the sample app lacks) is exit 2.
#     Versions, groups and pods are checked before anything is made.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
fake=$build/tests/integration/fakecluster
[ "$(id -u)" = 0 ] || { echo "skip: the lab and the agents' capture need root"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq missing"; exit 77; }
[ -x "$fake" ] || { echo "not ok - $fake is built (make test-bins)"; exit 1; }
lab="cr$$" labref="cq$$" labg="cg$$"
lab=${lab:0:12} labref=${labref:0:12} labg=${labg:0:12}
tmp=$(mktemp -d /tmp/smiw-clusterrun-XXXXXX)
src=$(pwd)
labjob=
trap '[ -n "$labjob" ] && kill "$labjob" 2>/dev/null && wait "$labjob";
	"$bin" lab --lab "$lab" down >/dev/null 2>&1; "$bin" lab --lab "$labref" down >/dev/null 2>&1;
	"$bin" lab --lab "$labg" down >/dev/null 2>&1;
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
export ITEST_LIB=$src/tests/lib/itest.sh
. "$ITEST_LIB"

off="specs/traffic-split.yaml specs/split-ab-header.yaml specs/split-three-way.yaml specs/traffic-metrics.yaml"
on="specs/traffic-access.yaml specs/traffic-specs.yaml specs/access-route-combined.yaml specs/access-tcp-ports.yaml specs/access-sources.yaml"
# The Gateway API mesh tests compared; a redirect whose convergence gives up soon, for the faulty mesh.
gamma="specs/gamma/mesh-basic.yaml specs/gamma/mesh-httproute-matching.yaml specs/gamma/mesh-httproute-redirect-host-and-status.yaml"
gbad=tests/fixtures/cluster/gamma-redirect.yaml
export off on gamma gbad

# --- the lab's verdicts, the reference for the cluster's: in a lab of their own, meanwhile ---
(
	child=
	# Stopped early (the test failed to set up): the run in progress ends as on Ctrl-C.
	trap '[ -n "$child" ] && kill -TERM "$child" && wait "$child"; exit 1' TERM
	step() { # RC-FILE COMMAND...: runs it, its exit status into RC-FILE
		local out=$1; shift
		"$@" >/dev/null & child=$!
		wait "$child"
		echo $? >"$out"
		child=
	}
	step "$tmp/lab-up.rc" "$bin" lab --lab "$labref" up
	# shellcheck disable=SC2086
	step "$tmp/lab-ref.rc" "$bin" run $off $on --mesh reference --lab "$labref" --out "$tmp/lab" 2>"$tmp/lab-ref.err"
	step "$tmp/lab-faulty.rc" "$bin" run specs/traffic-specs.yaml --mesh ignore-method --lab "$labref" \
		--out "$tmp/lab" 2>"$tmp/lab-faulty.err"
	step "$tmp/lab-down.rc" "$bin" lab --lab "$labref" down
	# shellcheck disable=SC2086
	step "$tmp/lab-gamma.rc" "$bin" run $gamma --topology sample-app/topology/gamma.yaml --lab "$labg" \
		--out "$tmp/labg" 2>"$tmp/lab-gamma.err"
	step "$tmp/lab-gbad.rc" "$bin" run "$gbad" --mesh route-redirect-host --topology sample-app/topology/gamma.yaml \
		--lab "$labg" --out "$tmp/labg" 2>"$tmp/lab-gbad.err"
	step "$tmp/lab-gdown.rc" "$bin" lab --lab "$labg" down
	touch "$tmp/lab.done"
) 2>"$tmp/lab-job.err" &
labjob=$!

# --- the lab behind a scripted API server: pods in smiw-lab, the mesh in lab-system ------
# The default topology's pods and services, and the mesh tests' (but the consumer's namespace).
python3 - sample-app/topology/default.yaml sample-app/topology/gamma.yaml >"$tmp/topology.yaml" <<'PY'
import json, sys, yaml
t, g = (yaml.safe_load(open(f)) for f in sys.argv[1:3])
t["pods"] += [p for p in g["pods"] if p["namespace"] == "gamma"]
t["services"] += g["services"]
for o in t["pods"] + t["services"]:
    o["namespace"] = "smiw-lab"
t["mesh"]["namespace"] = "lab-system"
json.dump(t, sys.stdout)
PY
"$bin" lab --lab "$lab" up --topology "$tmp/topology.yaml" >/dev/null 2>"$tmp/lab.err" ||
	{ echo "not ok - lab up: $(cat "$tmp/lab.err")"; exit 1; }
cp "/run/smi-witness/lab-$lab/inventory.json" "$tmp/inv.json"

unshare -n bash -s "$bin" "$fake" "$tmp" "$lab" "$src" <<'INNER'
set -u
. "$ITEST_LIB"
bin=$1 fake=$2 tmp=$3 lab=$4 src=$5
ip link set lo up
cd "$src"
agent_token "$tmp/token"
# node-1 runs the clients and the mesh, node-2 the backends; each agent knows only its own pods.
jq '.pods |= map(select(.name == "app-a" or .name == "client" or .name == "mesh")) | .node = "node-1"' "$tmp/inv.json" \
	>"$tmp/inv1.json"
jq '.pods |= map(select(.name != "app-a" and .name != "client" and .name != "mesh")) | .node = "node-2"' "$tmp/inv.json" \
	>"$tmp/inv2.json"
agents=()
for n in 1 2; do
	"$bin" agent --source capture --inventory "$tmp/inv$n.json" --node "node-$n" --token-file "$tmp/token" \
		--listen "127.0.0.1:1961$n" --stats-every 200ms 2>>"$tmp/agents.log" &
	agents+=($!)
done
for n in 1 2; do for _ in $(seq 100); do curl -s "http://127.0.0.1:1961$n/healthz" >/dev/null && break; sleep 0.1; done; done

fakepid=
fake_up() { # fakecluster options...
	fake_down
	rm -f "$tmp/kubeconfig.json" "$tmp/gate/held" "$tmp/gate/release" "$tmp/gate/answered"
	mkdir -p "$tmp/gate"
	"$fake" --lab "$lab" --lab-inventory "$tmp/inv.json" --kubeconfig-out "$tmp/kubeconfig.json" --work "$tmp/gate" \
		--node app-a=node-1 --node mesh=node-1 --node app-b=node-2 --node app-c=node-2 --node app-d=node-2 \
		--node client=node-1 --node echo-v1=node-2 --node echo-v2=node-2 \
		--agent node-1=19611 --agent node-2=19612 "$@" 2>>"$tmp/fake.log" &
	fakepid=$!
	for _ in $(seq 100); do [ -s "$tmp/kubeconfig.json" ] && return 0; sleep 0.05; done
	return 1
}
fake_down() { [ -n "$fakepid" ] && { kill -TERM "$fakepid"; wait "$fakepid"; }; fakepid=; }
store() { # the scripted server's store: every object, or with an argument those of ours
	local server ca
	server=$(jq -r '.clusters[0].cluster.server' "$tmp/kubeconfig.json")
	ca=$(jq -r '.clusters[0].cluster["certificate-authority"]' "$tmp/kubeconfig.json")
	curl -s --cacert "$ca" "$server/_store"
}
ours() { store | jq '[.items[] | select(.metadata.labels["app.kubernetes.io/managed-by"] == "smi-witness")] | length'; }
run() { # run --cluster OPTIONS... (stdout, stderr into $tmp/$name.{out,err}; $rc)
	local name=$1; shift
	"$bin" run --cluster --mesh lab --kubeconfig "$tmp/kubeconfig.json" --token-file "$tmp/token" \
		--sample-app "$src/tests/fixtures/cluster/lab" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
}
verdicts() { jq -r '.assertions[] | .id + " " + .verdict' "$@" | sort; }
mesh() { "$bin" lab --lab "$lab" apply "$@" --clear >/dev/null 2>>"$tmp/fake.log"; }

# --- 1. the same verdicts as the lab ------------------------------------------------------
fake_up || { echo "not ok - the scripted API server starts"; exit 1; }
mesh --mesh reference --access-control off
# shellcheck disable=SC2086
run ref-off $off --out "$tmp/cl-off"
is "cluster, reference, access control off: every assertion PASS" "$rc" 0
is "nothing of ours is left in the store" "$(ours)" 0
mesh --access-control on
# shellcheck disable=SC2086
run ref-on $on --out "$tmp/cl-on"
is "cluster, reference, access control on: every assertion PASS" "$rc" 0
is "nothing of ours is left in the store" "$(ours)" 0
is "the 75/25 split observed 750/250" \
	"$(jq -c '[.assertions[] | select(.id == "traffic-split/b75-c25/t1/split") | .evidence.backends[].observed]' \
		"$tmp/cl-off/lab/report.json")" "[750,250]"
mesh --mesh ignore-method --access-control on
run faulty specs/traffic-specs.yaml --out "$tmp/cl-faulty"
is "cluster, ignore-method: FAIL" "$rc" 1
d=$tmp/cl-off/lab/traffic-split
PATH="$(dirname "$bin"):$PATH" "$d/replay.sh" -f json >"$tmp/replay.json" 2>/dev/null
check "replay.sh of a cluster run gives its report byte for byte" cmp "$tmp/replay.json" "$d/report.json"
check "replay.sh names the namespace the scenario ran in" grep -q -- "--namespace 'smiw-lab'" "$d/replay.sh"
is "the observations are the agents' merged, on one timeline" \
	"$(zcat "$d/observations.jsonl.gz" | head -1 | jq -r '.node + " " + (.sources | length | tostring)')" "merged 2"
# Narrowed to the run's namespace: the lab's pods of the mesh tests are there too.
is "the inventory: the pods in the run's namespace and the mesh's" \
	"$(jq -r '[.pods[] | .namespace + "/" + .name] | sort | join(" ")' "$d/inventory.json")" \
	"lab-system/mesh smiw-lab/app-a smiw-lab/app-b smiw-lab/app-c smiw-lab/app-d smiw-lab/client smiw-lab/echo-v1 smiw-lab/echo-v2"
is "the policy was applied with server-side apply, labelled ours" \
	"$(grep -c '^applied TrafficSplit smiw-lab/' "$d/cluster.log")" 4
check "objects no longer in force were deleted" grep -q '^deleted TrafficSplit smiw-lab/' "$tmp/cl-off/lab/split-ab-header/cluster.log"
check "the run says what the cluster serves (Gateway API too)" \
	grep -qF 'cluster: GRPCRoute gateway.networking.k8s.io served in v1, v1alpha2 (applied as v1)' "$tmp/ref-off.err"
mesh --mesh reference --access-control off
# shellcheck disable=SC2086
run gamma-ref $gamma --sample-app "$src/tests/fixtures/cluster/lab-gamma" --out "$tmp/cl-gamma"
is "cluster, Gateway API mesh tests, reference: every assertion PASS" "$rc" 0
is "nothing of ours is left in the store" "$(ours)" 0
is "the routes were applied with server-side apply, in the run's namespace, as v1" \
	"$(cat "$tmp/cl-gamma/lab/"*/cluster.log | grep -c '^applied HTTPRoute smiw-lab/')" 2
is "the scenario's route moved into the run's namespace, rendered as v1" \
	"$(grep -cE '"(namespace": "smiw-lab|apiVersion": "gateway.networking.k8s.io/v1)"' \
		"$tmp/cl-gamma/lab/MeshHTTPRouteMatching/policy/step-1.yaml")" 2
mesh --mesh route-redirect-host
run gamma-bad "$gbad" --sample-app "$src/tests/fixtures/cluster/lab-gamma" --api httproute=v1beta1 --out "$tmp/cl-gbad"
is "cluster, route-redirect-host: FAIL" "$rc" 1
check "--api httproute=v1beta1: the route applied as v1beta1" \
	grep -qF 'cluster: HTTPRoute gateway.networking.k8s.io served in v1, v1beta1, v1alpha2 (applied as v1beta1)' \
	"$tmp/gamma-bad.err"
check "and rendered so" grep -qF '"apiVersion": "gateway.networking.k8s.io/v1beta1"' \
	"$tmp/cl-gbad/lab/gamma-redirect/policy/step-1.yaml"
is "nothing of ours is left in the store" "$(ours)" 0
mesh --mesh reference --access-control off

# --- 2. interrupted, or killed, at any step ----------------------------------------------------
held() { for _ in $(seq 600); do [ -e "$tmp/gate/$1" ] && return 0; sleep 0.05; done; return 1; }
# killed_run SAMPLE-APP SCENARIO OUT: a run SIGKILLed while the server holds its request; then the
# server answers the held request (to nobody) and the test goes on.
killed_run() {
	"$bin" run --cluster --mesh lab --kubeconfig "$tmp/kubeconfig.json" --token-file "$tmp/token" \
		--sample-app "$1" "$2" --out "$3" >/dev/null 2>&1 &
	local pid=$!
	held held
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	touch "$tmp/gate/release"
	held answered
}
interrupt() { # signal, the request to stop it at ("METHOD PATH-PART:N"), what that is, exit wanted (default: not 0)
	# $SCENARIO and $APP (a fixture's name) run instead of quick-split and the SMI sample app.
	fake_up --hold "$2"
	"$bin" run --cluster --mesh lab --kubeconfig "$tmp/kubeconfig.json" --token-file "$tmp/token" \
		--sample-app "$src/tests/fixtures/cluster/${APP:-lab}" "${SCENARIO:-tests/fixtures/cluster/quick-split.yaml}" \
		--out "$tmp/int" >/dev/null 2>"$tmp/int.err" &
	local pid=$!
	check "$3: the run got there" held held
	kill -"$1" "$pid"
	touch "$tmp/gate/release"
	wait "$pid"
	rc=$?
	if [ -n "${4:-}" ]; then
		is "$3: SIG$1 changes nothing there" "$rc" "$4"
	else
		check "$3: SIG$1 ends the run, never with PASS (exit $rc)" test "$rc" != 0
	fi
	is "$3: SIG$1 leaves no object of ours in the store" "$(ours)" 0
}
interrupt INT "PATCH /api/v1/namespaces/smiw-lab/pods/app-c:1" "applying the sample app"
interrupt TERM "pods?limit=500&labelSelector:1" "waiting for the sample app's pods"
interrupt INT "PATCH /apis/split.smi-spec.io/v1alpha4/namespaces/smiw-lab/trafficsplits:1" "applying a step's policy"
interrupt TERM "/proxy/call:4" "sending a step's traffic"
interrupt INT "/proxy/v1/observations?since_ns:12" "reading the agents"
interrupt TERM "DELETE /api/v1/namespaces/smiw-lab/pods/app-b:1" "tearing down" 0
SCENARIO=$gbad APP=lab-gamma \
	interrupt TERM "PATCH /apis/gateway.networking.k8s.io/v1/namespaces/smiw-lab/httproutes:1" "applying a step's route"

fake_up --hold "PATCH /apis/split.smi-spec.io/v1alpha4/namespaces/smiw-lab/trafficsplits:1"
killed_run "$src/tests/fixtures/cluster/lab" tests/fixtures/cluster/quick-split.yaml "$tmp/kill"
is "SIGKILL: the namespace, 4 service accounts, 6 services, 4 pods and the split are left" "$(ours)" 16
run after-kill tests/fixtures/cluster/quick-split.yaml --out "$tmp/after"
is "the next run passes" "$rc" 0
check "the next run removed what the killed one left, first" \
	grep -q 'removed 15 object(s) an earlier run left in namespace smiw-lab' "$tmp/after-kill.err"
is "and leaves nothing of ours" "$(ours)" 0

# The same with a route applied: the next run (of the SMI sample app) removes it too.
fake_up --hold "PATCH /apis/gateway.networking.k8s.io/v1/namespaces/smiw-lab/httproutes:1"
killed_run "$src/tests/fixtures/cluster/lab-gamma" "$gbad" "$tmp/kill-route"
is "SIGKILL: the namespace, 3 services, 3 pods and the route are left" "$(ours)" 8
is "one of them the route" "$(store | jq -r '[.items[] | select(.kind == "HTTPRoute") | .metadata.name] | join(" ")')" \
	"mesh-redirect-host-and-status"
run after-kill-route tests/fixtures/cluster/quick-split.yaml --out "$tmp/after-route"
is "the next run passes" "$rc" 0
check "the next run removed what the killed one left, the route too, first" \
	grep -q 'removed 7 object(s) an earlier run left in namespace smiw-lab' "$tmp/after-kill-route.err"
is "and leaves nothing of ours" "$(ours)" 0

# --- --keep; what discovery reports; the SMI metrics API where it is served -------------------
printf '%s\n' '{"kind":"TrafficMetricsList","apiVersion":"metrics.smi-spec.io/v1alpha1","resource":{"kind":"Pod","namespace":"smiw-lab"},"items":[]}' \
	>"$tmp/smi-metrics-in.json"
fake_up --serve gateway=v1,v1beta1 --metrics-api "$tmp/smi-metrics-in.json"
run keep tests/fixtures/cluster/quick-split.yaml --keep --out "$tmp/keep"
is "--keep: the run passes" "$rc" 0
check "discovery reports the Gateway API versions served, each kind's own" \
	grep -qF 'cluster: HTTPRoute gateway.networking.k8s.io served in v1, v1beta1 (applied as v1)' "$tmp/keep.err"
check "GRPCRoute was never v1beta1" \
	grep -qF 'cluster: GRPCRoute gateway.networking.k8s.io served in v1 (applied as v1)' "$tmp/keep.err"
check "the SMI metrics API's answer is kept beside the observations" \
	cmp "$tmp/smi-metrics-in.json" "$tmp/keep/lab/quick-split/smi-metrics.json"
is "--keep: the namespace, 4 service accounts, 6 services, 4 pods and the last split are kept" "$(ours)" 16
run after-keep tests/fixtures/cluster/quick-split.yaml --out "$tmp/after-keep"
is "after --keep, the next run passes" "$rc" 0
check "and removed what the kept run left, first" \
	grep -q 'removed 15 object(s) an earlier run left in namespace smiw-lab' "$tmp/after-keep.err"
is "and leaves nothing of ours" "$(ours)" 0

# --- 3. what the cluster must change: exit 4, one line naming the object ---------------------
fails_with() { # name, the line wanted, fakecluster options -- run options
	local name=$1 want=$2 opts=() ; shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	fake_up "${opts[@]}"
	run "$name" "$@" --out "$tmp/$name"
	is "$name: could not run (exit 4)" "$rc" 4
	check "$name: says so: $want" grep -qF -- "$want" "$tmp/$name.err"
	is "$name: error lines" "$(grep -c '^error:' "$tmp/$name.err")" 1
	is "$name: nothing of ours is left" "$(ours)" 0
}
fails_with no-agent "pod smiw-lab/app-d runs on node node-3, where no smi-witness agent runs" \
	--node app-d=node-3 -- tests/fixtures/cluster/quick-split.yaml
fails_with sidecar "pod smiw-lab/app-a runs without the mesh's sidecar 'lab-proxy'" \
	-- tests/fixtures/cluster/quick-split.yaml --sample-app "$src/tests/fixtures/cluster/lab-sidecar"
fails_with rbac "cannot apply TrafficSplit smiw-lab/server-split: 403 Forbidden" \
	--deny patch:trafficsplits -- tests/fixtures/cluster/quick-split.yaml
fails_with not-served "--api split=v1alpha4: the API server serves split.smi-spec.io v1alpha2" \
	--serve split=v1alpha2 -- tests/fixtures/cluster/quick-split.yaml --api split=v1alpha4
made() { store | jq '[.items[] | select(.metadata.namespace == "smiw-lab" or .metadata.name == "smiw-lab")] | length'; }
is "not-served: checked before anything was made" "$(made)" 0
mesh --access-control on
fails_with not-installed "'specs/manifests/access/tcp-port-9091.yaml': line 10: TrafficTarget smiw-lab/port-target: the API server does not serve access.smi-spec.io/v1alpha3 (not installed)" \
	--serve access= -- specs/access-tcp-ports.yaml
is "not-installed: checked before anything was made" "$(made)" 0
mesh --access-control off
fails_with route-not-installed "'specs/gamma/routes/matching.yaml': line 1: HTTPRoute smiw-lab/mesh-matching: the API server does not serve gateway.networking.k8s.io HTTPRoute (not installed): install the Gateway API CRD httproutes.gateway.networking.k8s.io" \
	--serve gateway= -- specs/gamma/mesh-httproute-matching.yaml --sample-app "$src/tests/fixtures/cluster/lab-gamma"
is "route-not-installed: checked before anything was made" "$(made)" 0
fails_with route-version "--api httproute=v1: the API server serves HTTPRoute v1beta1, v1alpha2: pick one of those" \
	--serve gateway=v1beta1,v1alpha2 -- "$gbad" --sample-app "$src/tests/fixtures/cluster/lab-gamma" --api httproute=v1
is "route-version: checked before anything was made" "$(made)" 0
mesh --access-control on
fails_with mode "the mesh denies app-a -> app-b in namespace smiw-lab, so its access control is on" \
	-- tests/fixtures/cluster/quick-split.yaml

# Input the cluster target cannot take: exit 2, nothing made (the server is up and empty).
fake_up
run not-in-app tests/fixtures/cluster/not-in-app.yaml --out "$tmp/not-in-app"
is "a pod the sample app lacks: invalid input (exit 2)" "$rc" 2
check "the line names the file, line and field, and the sample app's pods" grep -qF \
	"'tests/fixtures/cluster/not-in-app.yaml': line 10: steps[0].traffic[0].from: Pod 'smiw-lab/app-e' is not in the sample app '$src/tests/fixtures/cluster/lab' (Pods: app-a, app-b, app-c, app-d)" \
	"$tmp/not-in-app.err"
is "a pod the sample app lacks: nothing was made" "$(made)" 0
run consumer specs/gamma/consumer-route.yaml --sample-app "$src/tests/fixtures/cluster/lab-gamma" --out "$tmp/consumer"
is "a consumer route (a client in a second namespace) on a cluster: invalid input (exit 2)" "$rc" 2
check "the line names the file, line and field, and the namespace the client is in" grep -qF \
	"steps[0].traffic[0].from: Pod 'gamma-consumer/consumer' is not in the sample app" "$tmp/consumer.err"
is "a consumer route: nothing was made" "$(made)" 0
run lab-opts tests/fixtures/cluster/quick-split.yaml --protocol h2
is "--protocol h2 on a cluster: invalid input (exit 2)" "$rc" 2
check "it says the sample app sends HTTP/1.1" grep -qF -- '--protocol h2: on a cluster the sample app sends' "$tmp/lab-opts.err"
"$bin" run tests/fixtures/cluster/quick-split.yaml --cluster --kubeconfig "$tmp/kubeconfig.json" >/dev/null 2>"$tmp/no-mesh.err"
is "--cluster without --mesh: invalid input (exit 2)" "$?" 2
"$bin" run tests/fixtures/cluster/quick-split.yaml --kubeconfig "$tmp/kubeconfig.json" >/dev/null 2>"$tmp/no-cluster.err"
is "--kubeconfig without --cluster: invalid input (exit 2)" "$?" 2
is "input errors: nothing was made" "$(made)" 0

fake_down
for p in "${agents[@]}"; do kill -TERM "$p"; wait "$p"; done

# --- the lab's verdicts, which ran meanwhile ---------------------------------------------------
wait_for 1800 test -e "$tmp/lab.done" || echo "not ok - the lab's runs ended"
is "lab: the SMI suites on the reference mesh pass" "$(cat "$tmp/lab-ref.rc")" 0
is "lab: traffic-specs on ignore-method" "$(cat "$tmp/lab-faulty.rc")" 1
want=$(verdicts "$tmp/lab/reference/report.json")
is "reference: the lab's $(wc -l <<<"$want") verdicts, assertion by assertion" \
	"$(verdicts "$tmp/cl-off/lab/report.json" "$tmp/cl-on/lab/report.json")" "$want"
is "ignore-method: the lab's verdicts" "$(verdicts "$tmp/cl-faulty/lab/report.json")" \
	"$(verdicts "$tmp/lab/ignore-method/report.json")"
is "lab: the Gateway API mesh tests on the reference mesh pass" "$(cat "$tmp/lab-gamma.rc")" 0
is "lab: the redirect on route-redirect-host" "$(cat "$tmp/lab-gbad.rc")" 1
want=$(verdicts "$tmp/labg/reference/report.json")
is "Gateway API, reference: the lab's $(wc -l <<<"$want") verdicts, assertion by assertion" \
	"$(verdicts "$tmp/cl-gamma/lab/report.json")" "$want"
is "route-redirect-host: the lab's verdicts (the two host redirects FAIL)" "$(verdicts "$tmp/cl-gbad/lab/report.json")" \
	"$(verdicts "$tmp/labg/route-redirect-host/report.json")"
is "route-redirect-host: FAIL, FAIL" "$(verdicts "$tmp/cl-gbad/lab/report.json" | grep -c ' FAIL$')" 2
[ $fails -eq 0 ] || tail -n 30 "$tmp/fake.log" "$tmp"/*.err
itest_done
INNER
