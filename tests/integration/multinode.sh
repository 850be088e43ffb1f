#!/usr/bin/env bash
# multinode.sh - the same capture judged three ways must give the same
# verdicts: from the file, from one agent holding everything, and from two
# agents (two "nodes" watching disjoint pods, each with only its own pods in
# its inventory) merged by `verify --agent A --agent B`. Covers conforming,
# faulty and lossy captures of the split and access scenarios.
set -u
build=$(realpath "${1:-build}")
[ "$(id -u)" = 0 ] || { echo "skip: needs root for a private network namespace"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq missing"; exit 77; }
tmp=$(mktemp -d /tmp/smiw-multinode-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fx=$(realpath tests/fixtures/verify)
"$fx/generate.sh" "$tmp/fx" >/dev/null || { echo "not ok - fixtures generated"; exit 1; }
export ITEST_LIB=$(pwd)/tests/lib/itest.sh
unshare -n bash -s "$build/smi-witness" "$tmp" "$fx" <<'INNER'
set -u
. "$ITEST_LIB"
bin=$1 tmp=$2 fx=$3
ip link set lo up
agent_token "$tmp/token"
# node-1 runs app-a and the mesh proxy; node-2 runs app-b, app-c, app-d.
node1='["app-a","mesh"]'
jq -c --argjson n "$node1" '.pods |= map(select(.name as $p | $n | index($p))) | .node = "node-1" |
	.services |= map(.endpoints |= map(select(ltrimstr("default/") as $p | $n | index($p))))' \
	"$fx/inventory.json" > "$tmp/inv1.json"
jq -c --argjson n "$node1" '.pods |= map(select(.name as $p | $n | index($p) | not)) | .node = "node-2" |
	del(.mesh) | .services |= map(.endpoints |= map(select(ltrimstr("default/") as $p | $n | index($p) | not)))' \
	"$fx/inventory.json" > "$tmp/inv2.json"

agents=()
start() { # port source inventory node
	"$bin" agent --source "$2" --inventory "$3" --node "$4" --token-file "$tmp/token" \
		--listen "127.0.0.1:$1" 2>>"$tmp/agents.log" &
	agents+=($!)
	for _ in $(seq 600); do curl -s "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done
	return 1
}
stop_all() { for p in "${agents[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; agents=(); }
wait_fed() { # port records
	for _ in $(seq 1200); do
		# Fed, and the source seen to end: its last counters are then final.
		[ "$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$1/v1/stats" |
			jq -r '"\(.store.added) \(.source.ended)"')" = "$2 true" ] && return 0
		sleep 0.1
	done
	return 1
}
verdicts() { jq -r '.assertions[] | .id + " " + .verdict' "$1" | sort; }

for case in split-good:split split-faulty:split access-good:access access-faulty:access access-loss:access; do
	name=${case%%:*} sc=$fx/${case##*:}.yaml
	obs=$tmp/fx/$name.jsonl intent=$tmp/fx/$name.intent.jsonl
	# Capture-wide counters (no pod) stay with node-1; node-2 reports none.
	jq -c --argjson n "$node1" 'select(.t != "meta" and ((.pod // "") as $p | ($p == "") or ($n | index($p) != null)))' \
		"$obs" 2>/dev/null > "$tmp/n1.jsonl"
	jq -c --argjson n "$node1" 'select(.t != "meta" and .t != "stats" and .t != "end" and
		(.pod // "" | . as $p | ($n | index($p) | not) and (. != "")))' "$obs" 2>/dev/null > "$tmp/n2.jsonl"
	n1=$(wc -l < "$tmp/n1.jsonl")
	n2=$(wc -l < "$tmp/n2.jsonl")
	# A torn last line (the lossy capture has one) is no record: jq and the agent both skip it.
	allrec=$(jq -c 'select(.t != "meta")' "$obs" 2>/dev/null | wc -l)
	is "$name: the two nodes split the records ($n1 + $n2 = $allrec)" $((n1 + n2)) "$allrec"

	"$bin" -j verify --observations "$obs" -i "$intent" -s "$sc" -I "$fx/inventory.json" > "$tmp/file.json" 2>/dev/null
	rc_file=$?
	start 19480 "$obs" "$fx/inventory.json" lab && wait_fed 19480 "$allrec"
	"$bin" -j verify --agent http://127.0.0.1:19480 --token-file "$tmp/token" -i "$intent" -s "$sc" \
		> "$tmp/one.json" 2>"$tmp/one.err"
	rc_one=$?
	start 19481 "$tmp/n1.jsonl" "$tmp/inv1.json" node-1 && wait_fed 19481 "$n1"
	start 19482 "$tmp/n2.jsonl" "$tmp/inv2.json" node-2 && wait_fed 19482 "$n2"
	"$bin" -j verify --agent http://127.0.0.1:19481 --agent http://127.0.0.1:19482 --token-file "$tmp/token" \
		-i "$intent" -s "$sc" > "$tmp/two.json" 2>"$tmp/two.err"
	rc_two=$?
	stop_all
	want=$(verdicts "$tmp/file.json")
	is "$name: verdicts from the file are there ($(wc -l <<<"$want") assertions)" "$([ -n "$want" ] && echo yes)" yes
	is "$name: one agent gives the file's verdicts" "$(verdicts "$tmp/one.json")" "$want"
	is "$name: two agents merged give the file's verdicts" "$(verdicts "$tmp/two.json")" "$want"
	is "$name: same exit code three ways" "$rc_one $rc_two" "$rc_file $rc_file"
done
[ $fails -eq 0 ] || { tail -n 20 "$tmp/agents.log" "$tmp/two.err"; }
itest_done
INNER
