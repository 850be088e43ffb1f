#!/usr/bin/env bash
# lab_multinode.sh - the lab as two nodes. Three agents run real in-process
# capture at once: one watches every pod, two watch disjoint halves (node-1:
# app-a and the mesh proxy; node-2: the backends), each with only its own
# pods in its inventory. The same traffic judged from the one agent and from
# the two merged (`verify --agent A --agent B`) must give the same verdicts:
# PASS on the reference mesh's 75/25 split, FAIL on the faulty-weights mesh.
set -u
build=$(realpath "${1:-build}")
bin=$build/smi-witness
[ "$(id -u)" = 0 ] || { echo "skip: the lab needs root (namespaces, cgroups, BPF)"; exit 77; }
command -v haproxy >/dev/null || { echo "skip: haproxy is not installed"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq missing"; exit 77; }
lab="mn$$"
tmp=$(mktemp -d /tmp/smiw-labmn-XXXXXX)
trap '"$bin" lab --lab "$lab" down >/dev/null 2>&1; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
"$bin" lab --lab "$lab" up >/dev/null 2>"$tmp/lab.err" || { echo "not ok - lab up: $(cat "$tmp/lab.err")"; exit 1; }
inv=/run/smi-witness/lab-$lab/inventory.json
node1='["app-a","mesh"]'
jq --argjson n "$node1" '.pods |= map(select(.name as $p | $n | index($p))) | .node = "node-1"' "$inv" > "$tmp/inv1.json"
jq --argjson n "$node1" '.pods |= map(select(.name as $p | $n | index($p) | not)) | .node = "node-2"' "$inv" > "$tmp/inv2.json"
cp "$inv" "$tmp/inv.json"
# Agents and the verifier talk over the loopback of a namespace of their own;
# capture is kernel-wide, so it sees the lab's pods from there.
export ITEST_LIB=$(pwd)/tests/lib/itest.sh
unshare -n bash -s "$bin" "$tmp" "$lab" "$(pwd)" <<'INNER'
set -u
. "$ITEST_LIB"
bin=$1 tmp=$2 lab=$3 src=$4
ip link set lo up
agent_token "$tmp/token"
agents=()
start() { # port inventory node
	"$bin" agent --source capture --inventory "$2" --node "$3" --token-file "$tmp/token" \
		--listen "127.0.0.1:$1" 2>>"$tmp/agents.log" &
	agents+=($!)
	for _ in $(seq 600); do curl -s "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done
	return 1
}
verdicts() { jq -r '.assertions[] | .id + " " + .verdict' "$1" | sort; }
# seen PORT RUN ROLE PODS N: the agent on PORT serves N exchanges of run RUN on ROLE by pods PODS (a,b).
seen() {
	[ "$("$bin" fetch --agent "http://127.0.0.1:$1" --token-file "$tmp/token" --request-id "$2." --type exchange \
		2>/dev/null | jq -r --arg role "$3" --arg pods "$4" 'select(.t == "exchange" and .role == $role and
		(.pod as $p | $pods | split(",") | index($p))) | .request_id' | sort -u | wc -l)" = "$5" ]
}
start 19501 "$tmp/inv.json" lab && start 19502 "$tmp/inv1.json" node-1 && start 19503 "$tmp/inv2.json" node-2
is "three agents with capture are up" "${#agents[@]}" 3

for mesh in reference:PASS faulty-weights:FAIL; do
	variant=${mesh%%:*} want=${mesh##*:} run=r$variant$$
	run=${run//-/}
	"$bin" lab --lab "$lab" apply --mesh "$variant" "$src/tests/fixtures/lab/split-75-25.yaml" >/dev/null 2>>"$tmp/lab.err"
	"$bin" lab --lab "$lab" exec app-a -- smi-witness drive -n 1000 -c 4 --new-connections --no-progress --run-id "$run.1.1" \
		--intent "$tmp/$variant.intent.jsonl" http://app-svc:9091/echo >/dev/null 2>>"$tmp/drive.err"
	# Every agent has the run's exchanges its node saw before anything is verified.
	wait_for 120 seen 19501 "$run" client app-a 1000 && wait_for 120 seen 19501 "$run" server app-b,app-c 1000 &&
		wait_for 120 seen 19502 "$run" client app-a 1000 && wait_for 120 seen 19503 "$run" server app-b,app-c 1000
	"$bin" -j verify --agent http://127.0.0.1:19501 --token-file "$tmp/token" --run "$run" \
		-i "$tmp/$variant.intent.jsonl" -s "$src/tests/fixtures/k8s/lab-split.yaml" \
		> "$tmp/$variant.one.json" 2>"$tmp/$variant.one.err"
	"$bin" -j verify --agent http://127.0.0.1:19502 --agent http://127.0.0.1:19503 --token-file "$tmp/token" \
		--run "$run" -i "$tmp/$variant.intent.jsonl" -s "$src/tests/fixtures/k8s/lab-split.yaml" \
		> "$tmp/$variant.two.json" 2>"$tmp/$variant.two.err"
	one=$(verdicts "$tmp/$variant.one.json") two=$(verdicts "$tmp/$variant.two.json")
	is "$variant: one agent says $want" "$one" "k8s-multinode-split/seventy-five/t1/split $want"
	is "$variant: two agents merged say the same" "$two" "$one"
	is "$variant: the same requests counted" \
		"$(jq -c '.assertions[0].evidence | [.counted, .delivered]' "$tmp/$variant.two.json")" \
		"$(jq -c '.assertions[0].evidence | [.counted, .delivered]' "$tmp/$variant.one.json")"
done
pods_of() { "$bin" fetch --agent "http://127.0.0.1:$1" --token-file "$tmp/token" --type exchange 2>/dev/null |
	jq -r 'select(.t == "exchange") | .pod' | sort -u | tr '\n' ' '; }
is "node-1 saw only its own pods" "$(pods_of 19502)" "app-a mesh "
is "node-2 saw only its own pods" "$(pods_of 19503)" "app-b app-c "
for p in "${agents[@]}"; do kill -TERM "$p"; wait "$p"; done
[ $fails -eq 0 ] || { tail -n 5 "$tmp"/*.err "$tmp/agents.log"; }
itest_done
INNER
